package org.aloe4j.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorSpecies;
import org.aloe4j.model.KVCache;
import org.aloe4j.model.LoadedModel;
import org.aloe4j.model.ModelConfig;
import org.aloe4j.model.ModelLoader;
import org.aloe4j.model.Transformer;
import org.aloe4j.model.Weights;
import org.aloe4j.tensors.Parallel;
import org.aloe4j.tensors.Tensor;
import org.aloe4j.util.ProcessStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Prompt-processing and decode speed of a model file, measured as llama.cpp's {@code llama-bench -p P -n G} does:
 * random tokens, prefill of {@code P} tokens in one batch from an empty cache, and separately {@code G} single-token
 * decode steps (each with its logits). Also the memory-read bandwidth of this machine, measured on the model's own
 * mapped weights in the same run, and the decode speed that bandwidth allows for this file.
 */
@Command(name = "bench", description = "Prefill and decode tokens/s of a model file (as llama-bench -p/-n), load time,"
        + " peak RSS, memory bandwidth and the decode limit it implies.")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "GGUF file or Hugging Face model directory")
    Path model;

    @Option(names = "--threads", description = "worker threads (default: the number of cores)")
    Integer threads;

    @Option(names = "--prompt", defaultValue = "64", description = "prompt tokens processed in one batch (default 64)")
    int prompt;

    @Option(names = "--gen", defaultValue = "32", description = "tokens decoded one at a time (default 32)")
    int gen;

    @Option(names = "--repeat", defaultValue = "3", description = "measured repetitions (default 3)")
    int repeat;

    @Option(names = "--depth", defaultValue = "0", description = "context already in the cache before the decode"
            + " steps (filled with random keys and values; default 0)")
    int depth;

    @Option(names = "--json", description = "print one JSON object as the last line")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (prompt < 0 || gen < 0 || repeat < 1 || depth < 0 || (prompt == 0 && gen == 0)) {
            throw new IllegalArgumentException("need --prompt >= 0, --gen >= 0 (not both 0), --repeat >= 1,"
                    + " --depth >= 0");
        }
        if (!Files.exists(model)) {
            throw new IllegalArgumentException(model + ": no such file or directory");
        }
        if (threads != null) {
            Parallel.setThreads(threads);
        }
        long t0 = System.nanoTime();
        try (LoadedModel loaded = ModelLoader.load(model)) {
            Transformer transformer = new Transformer(loaded.config(), loaded.weights());
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            ModelConfig c = loaded.config();
            int contextNeeded = Math.max(prompt, depth + gen) + 1;
            if (contextNeeded > c.contextLength()) {
                throw new IllegalArgumentException("prompt/depth+gen need " + contextNeeded
                        + " positions; the model's context is " + c.contextLength());
            }
            long bytesPerToken = bytesPerToken(loaded.weights());
            double bandwidth = readBandwidth(loaded.weights());
            KVCache cache = transformer.newCache(contextNeeded);
            Runner runner = new Runner(transformer, cache, Math.max(prompt, 1));
            SplittableRandom random = new SplittableRandom(42);

            // warm-up: compiles the kernels (llama-bench also runs a warm-up pass)
            if (prompt > 0) {
                runner.prefill(random, Math.min(prompt, 16));
            }
            runner.decode(random, 0, Math.min(Math.max(gen, 1), 4));

            double[] prefill = new double[prompt > 0 ? repeat : 0];
            double[] decode = new double[gen > 0 ? repeat : 0];
            if (depth > 0) {
                cache.fillRandom(depth, 7);
            }
            for (int i = 0; i < repeat; i++) {
                if (prompt > 0) {
                    prefill[i] = prompt / runner.prefill(random, prompt);
                    if (depth > 0) {
                        cache.fillRandom(depth, 7); // the prompt overwrote the start of the context
                    }
                }
                if (gen > 0) {
                    decode[i] = gen / runner.decode(random, depth, gen);
                }
            }
            double rssMb = ProcessStats.peakRssBytes() / 1e6;
            double limit = bandwidth / bytesPerToken;
            print(c, loadSeconds, bytesPerToken, bandwidth, limit, prefill, decode, rssMb);
            return 0;
        }
    }

    private void print(ModelConfig c, double loadSeconds, long bytesPerToken, double bandwidth, double limit,
            double[] prefill, double[] decode, double rssMb) {
        System.out.printf("model %s: %d layers, dim %d, vocab %d; %.2f GB of weights read per token%n",
                model.getFileName(), c.layers(), c.dim(), c.vocabSize(), bytesPerToken / 1e9);
        System.out.printf("threads %d, load %.2f s, peak RSS %.0f MB%n", Parallel.threads(), loadSeconds, rssMb);
        System.out.printf("memory read bandwidth %.1f GB/s -> decode limit %.2f tok/s%n", bandwidth / 1e9, limit);
        if (prefill.length > 0) {
            System.out.printf("prefill pp%d: %s tok/s%n", prompt, stats(prefill));
        }
        if (decode.length > 0) {
            System.out.printf("decode  tg%d%s: %s tok/s (%.0f%% of the limit)%n", gen,
                    depth > 0 ? " at depth " + depth : "", stats(decode), 100 * median(decode) / limit);
        }
        if (json) {
            ObjectNode o = ModelFiles.JSON.createObjectNode();
            o.put("model", model.toString());
            o.put("threads", Parallel.threads());
            o.put("prompt", prompt);
            o.put("gen", gen);
            o.put("depth", depth);
            o.put("repeat", repeat);
            o.put("prefill_tps", prefill.length > 0 ? round(median(prefill)) : 0);
            o.put("decode_tps", decode.length > 0 ? round(median(decode)) : 0);
            putArray(o, "prefill_tps_min_median_max", prefill);
            putArray(o, "decode_tps_min_median_max", decode);
            o.put("load_s", round(loadSeconds));
            o.put("rss_mb", Math.round(rssMb));
            o.put("bandwidth_gbs", round(bandwidth / 1e9));
            o.put("decode_limit_tps", round(limit));
            o.put("bytes_per_token", bytesPerToken);
            System.out.println(o);
        }
    }

    private static void putArray(ObjectNode o, String name, double[] values) {
        var array = o.putArray(name);
        if (values.length > 0) {
            double[] s = values.clone();
            Arrays.sort(s);
            array.add(round(s[0])).add(round(median(values))).add(round(s[s.length - 1]));
        }
    }

    private static String stats(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        return String.format("median %.2f (min %.2f, max %.2f)", median(values), s[0], s[s.length - 1]);
    }

    static double median(double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /** The matrices one decode step reads in full: every layer's, plus the output matrix (one embedding row aside). */
    static long bytesPerToken(Weights w) {
        long bytes = w.output().data().byteSize();
        for (Weights.Layer l : w.layers()) {
            for (Tensor t : List.of(l.wq(), l.wk(), l.wv(), l.wo(), l.wGate(), l.wUp(), l.wDown())) {
                bytes += t.data().byteSize();
            }
        }
        return bytes;
    }

    private static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_PREFERRED;
    private static volatile long sink;

    /**
     * Bytes per second at which the worker pool reads the model's weights (best of three passes over all of them, the
     * first also bringing the file into memory): the bound on decode speed, which reads each weight once per token.
     */
    static double readBandwidth(Weights w) {
        List<MemorySegment> segments = new ArrayList<>();
        segments.add(w.output().data());
        for (Weights.Layer l : w.layers()) {
            for (Tensor t : List.of(l.wq(), l.wk(), l.wv(), l.wo(), l.wGate(), l.wUp(), l.wDown())) {
                segments.add(t.data());
            }
        }
        long total = segments.stream().mapToLong(MemorySegment::byteSize).sum();
        double best = 0;
        for (int pass = 0; pass < 4; pass++) {
            long t0 = System.nanoTime();
            for (MemorySegment s : segments) {
                long size = s.byteSize();
                int chunks = (int) Math.max(1, size >> 16);
                long[] partial = new long[chunks];
                Parallel.forRange(0, chunks, (start, end) -> {
                    long from = size * start / chunks, to = size * end / chunks;
                    partial[start] = readRange(s, from, to);
                });
                sink += partial[0];
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (pass > 0) {
                best = Math.max(best, total / seconds);
            }
        }
        return best;
    }

    /** Reads every byte of {@code [from, to)} with vector loads (xor-folded so the loads are not eliminated). */
    private static long readRange(MemorySegment s, long from, long to) {
        int step = BYTES.length();
        ByteVector acc0 = ByteVector.zero(BYTES), acc1 = ByteVector.zero(BYTES);
        long i = from;
        for (; i + 2L * step <= to; i += 2L * step) {
            acc0 = acc0.lanewise(jdk.incubator.vector.VectorOperators.XOR,
                    ByteVector.fromMemorySegment(BYTES, s, i, java.nio.ByteOrder.LITTLE_ENDIAN));
            acc1 = acc1.lanewise(jdk.incubator.vector.VectorOperators.XOR,
                    ByteVector.fromMemorySegment(BYTES, s, i + step, java.nio.ByteOrder.LITTLE_ENDIAN));
        }
        long r = acc0.lanewise(jdk.incubator.vector.VectorOperators.XOR, acc1).reinterpretAsLongs().lane(0);
        for (; i < to; i++) {
            r += s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, i);
        }
        return r;
    }

    /** Runs batches through the transformer with arrays allocated once (the token loop allocates nothing). */
    static final class Runner {
        private final Transformer t;
        private final KVCache cache;
        private final int[] tokens, positions;
        private final KVCache[] caches;
        private final boolean[] want;
        private final float[] logits;
        private final int vocab;

        Runner(Transformer t, KVCache cache, int maxBatch) {
            this.t = t;
            this.cache = cache;
            this.vocab = t.config().vocabSize();
            tokens = new int[maxBatch];
            positions = new int[maxBatch];
            caches = new KVCache[maxBatch];
            want = new boolean[maxBatch];
            logits = new float[vocab];
            Arrays.fill(caches, cache);
        }

        /** Seconds for one batch of {@code n} random tokens at positions 0..n-1 (logits of the last). */
        double prefill(SplittableRandom random, int n) {
            for (int i = 0; i < n; i++) {
                tokens[i] = random.nextInt(vocab);
                positions[i] = i;
                want[i] = i == n - 1;
            }
            long t0 = System.nanoTime();
            t.forward(n, tokens, positions, caches, want, logits);
            return (System.nanoTime() - t0) / 1e9;
        }

        /** Seconds for {@code n} single-token steps at positions {@code start ..}, each with its logits. */
        double decode(SplittableRandom random, int start, int n) {
            want[0] = true;
            tokens[0] = random.nextInt(vocab);
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                positions[0] = start + i;
                t.forward(1, tokens, positions, caches, want, logits);
                tokens[0] = argmax(logits);
            }
            return (System.nanoTime() - t0) / 1e9;
        }

        private static int argmax(float[] v) {
            int best = 0;
            for (int i = 1; i < v.length; i++) {
                if (v[i] > v[best]) {
                    best = i;
                }
            }
            return best;
        }
    }
}
