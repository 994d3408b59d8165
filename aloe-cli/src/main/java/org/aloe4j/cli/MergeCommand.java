package org.aloe4j.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.aloe4j.merge.MergeConfig;
import org.aloe4j.merge.MergeException;
import org.aloe4j.merge.MergeOptions;
import org.aloe4j.merge.MergeResult;
import org.aloe4j.merge.Merger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code aloe merge CONFIG.yml OUTPUT_DIR}: a mergekit-style merge of Hugging Face safetensors models. */
@Command(name = "merge", mixinStandardHelpOptions = true,
        description = {"Merge Hugging Face safetensors models as a mergekit YAML configuration says "
                + "(linear, task_arithmetic, ties, dare_ties, dare_linear).",
                "Writes a new Hugging Face directory: sharded safetensors with index, config.json, tokenizer files "
                        + "and a README recording the merge. Nothing is left behind if the merge fails."})
public final class MergeCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "CONFIG", description = "The merge configuration (mergekit YAML).")
    Path config;

    @Parameters(index = "1", paramLabel = "OUTPUT_DIR", description = "The directory to create (must not exist).")
    Path output;

    @Option(names = "--seed", defaultValue = "" + MergeOptions.DEFAULT_SEED,
            description = "Seed of the DARE random masks (default: ${DEFAULT-VALUE}); the same seed gives the same "
                    + "output whatever the number of threads.")
    long seed;

    @Option(names = "--threads", description = "Worker threads (default: the number of processors).")
    Integer threads;

    @Option(names = "--max-shard-size", defaultValue = "5GB",
            description = "Tensor data per output shard, e.g. 5GB, 500MB, 2GiB (default: ${DEFAULT-VALUE}).")
    String maxShardSize;

    @Option(names = "--no-progress", description = "Do not show the progress bar.")
    boolean noProgress;

    @Override
    public Integer call() {
        try {
            MergeOptions options = MergeOptions.defaults().withSeed(seed).withMaxShardBytes(parseSize(maxShardSize))
                    .withProgress(!noProgress)
                    .withConfigDir(config.toAbsolutePath().getParent());
            if (threads != null) {
                options = options.withThreads(threads);
            }
            MergeResult r = Merger.merge(MergeConfig.read(config), output, options);
            System.err.printf(Locale.ROOT, "aloe merge: wrote %s (%d tensors, %.2f GB) in %.1f s%n", r.outputDir(),
                    r.tensors(), r.dataBytes() / 1e9, r.elapsed().toMillis() / 1000.0);
            return 0;
        } catch (MergeException | IllegalArgumentException e) {
            System.err.println("aloe merge: " + e.getMessage());
            return 1;
        }
    }

    /** "5GB" = 5e9 bytes, "2GiB" = 2^31; also KB/MB/KiB/MiB and plain bytes. */
    static long parseSize(String s) {
        String t = s.trim().toUpperCase(Locale.ROOT);
        long unit = 1;
        String[][] units = {{"KIB", "1024"}, {"MIB", "1048576"}, {"GIB", "1073741824"}, {"KB", "1000"},
                {"MB", "1000000"}, {"GB", "1000000000"}, {"B", "1"}};
        for (String[] u : units) {
            if (t.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                t = t.substring(0, t.length() - u[0].length()).trim();
                break;
            }
        }
        try {
            double v = Double.parseDouble(t);
            if (!(v > 0)) {
                throw new NumberFormatException();
            }
            return (long) (v * unit);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--max-shard-size: cannot read '" + s + "' (e.g. 5GB, 500MB)");
        }
    }
}
