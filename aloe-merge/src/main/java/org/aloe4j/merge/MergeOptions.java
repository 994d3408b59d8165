package org.aloe4j.merge;

import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * How a merge runs (not what it computes, except {@code seed}).
 *
 * @param seed the DARE random masks depend only on this, the tensor name and the model's index in {@code models}
 * @param threads worker threads computing chunks
 * @param maxShardBytes tensor data per output shard (Hugging Face's {@code max_shard_size}; 5 GB by default)
 * @param progress show a progress bar on stderr
 * @param chunkElements elements per unit of work (memory in flight is a few chunks per thread)
 * @param configDir where relative model paths are also looked for (the YAML file's folder), or null
 * @param log receives warnings and notes, one line each
 */
public record MergeOptions(long seed, int threads, long maxShardBytes, boolean progress, int chunkElements,
        Path configDir, Consumer<String> log) {
    public static final long DEFAULT_SEED = 42;
    public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;
    public static final int DEFAULT_CHUNK_ELEMENTS = 1 << 19;

    public MergeOptions {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1: " + threads);
        }
        if (maxShardBytes < 1) {
            throw new IllegalArgumentException("maxShardBytes must be positive: " + maxShardBytes);
        }
        if (chunkElements < 1) {
            throw new IllegalArgumentException("chunkElements must be positive: " + chunkElements);
        }
        Objects.requireNonNull(log, "log");
    }

    /** Seed 42, one thread per processor, 5 GB shards, no progress bar, warnings to stderr. */
    public static MergeOptions defaults() {
        return new MergeOptions(DEFAULT_SEED, Runtime.getRuntime().availableProcessors(), DEFAULT_MAX_SHARD_BYTES,
                false, DEFAULT_CHUNK_ELEMENTS, null, line -> System.err.println("aloe merge: " + line));
    }

    public MergeOptions withSeed(long seed) {
        return new MergeOptions(seed, threads, maxShardBytes, progress, chunkElements, configDir, log);
    }

    public MergeOptions withThreads(int threads) {
        return new MergeOptions(seed, threads, maxShardBytes, progress, chunkElements, configDir, log);
    }

    public MergeOptions withMaxShardBytes(long maxShardBytes) {
        return new MergeOptions(seed, threads, maxShardBytes, progress, chunkElements, configDir, log);
    }

    public MergeOptions withProgress(boolean progress) {
        return new MergeOptions(seed, threads, maxShardBytes, progress, chunkElements, configDir, log);
    }

    public MergeOptions withChunkElements(int chunkElements) {
        return new MergeOptions(seed, threads, maxShardBytes, progress, chunkElements, configDir, log);
    }

    public MergeOptions withConfigDir(Path configDir) {
        return new MergeOptions(seed, threads, maxShardBytes, progress, chunkElements, configDir, log);
    }

    public MergeOptions withLog(Consumer<String> log) {
        return new MergeOptions(seed, threads, maxShardBytes, progress, chunkElements, configDir, log);
    }
}
