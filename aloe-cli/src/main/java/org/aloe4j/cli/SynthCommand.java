package org.aloe4j.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.aloe4j.convert.SyntheticModel;
import org.aloe4j.model.Architecture;
import org.aloe4j.model.ModelConfig;
import org.aloe4j.quantize.FileType;
import org.aloe4j.tensors.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code aloe synth --preset P --type T --out FILE.gguf}: a GGUF of a real model's shape with random weights. */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = {"Write a GGUF file with seeded random weights of a real model's shapes (for benchmarks and "
                + "tests): the same metadata, quantizers and per-tensor type mix as 'aloe convert', and a generated "
                + "byte-level vocabulary of the real size. llama.cpp loads it too.",
                "Presets: qwen2.5-7b, qwen2.5-72b, llama3.1-8b, llama3.1-70b, tiny (E256 FF512 L2, vocabulary 1000)."})
public final class SynthCommand implements Callable<Integer> {

    @Option(names = "--arch", paramLabel = "qwen2|llama",
            description = "The architecture (needed for tiny; must agree with the other presets).")
    String arch;

    @Option(names = "--preset", required = true, paramLabel = "PRESET",
            description = "qwen2.5-7b, qwen2.5-72b, llama3.1-8b, llama3.1-70b or tiny.")
    String preset;

    @Option(names = "--type", required = true, paramLabel = "TYPE",
            description = "F32, F16, BF16, Q8_0, Q4_0, Q4_K_M, Q5_K_M or Q6_K.")
    String type;

    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = {"--out", "-o"}, required = true, paramLabel = "FILE.gguf", description = "The file to write.")
    Path out;

    @Option(names = "--dry-run", description = "Print the size and tensor types without writing.")
    boolean dryRun;

    @Option(names = "--threads", description = "Worker threads (default: the number of processors).")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        Architecture a = null;
        if (arch != null) {
            a = Architecture.fromName(arch);
            if (a == null) {
                throw new IllegalArgumentException("unknown architecture '" + arch + "' (qwen2 or llama)");
            }
        }
        ModelConfig c = SyntheticModel.config(SyntheticModel.Preset.parse(preset), a);
        FileType fileType = FileType.parse(type);
        if (threads != null) {
            Parallel.setThreads(threads);
        }
        PrintWriter err = new PrintWriter(System.err, true);
        long start = System.nanoTime();
        SyntheticModel.Plan plan = SyntheticModel.plan(c, fileType, seed);
        if (dryRun) {
            err.printf(Locale.ROOT, "aloe synth: %s %s would hold %.3f GB of tensors (%d bytes), types %s%n", c.name(),
                    fileType, plan.dataBytes() / 1e9, plan.dataBytes(), plan.tensorTypes());
            return 0;
        }
        err.printf(Locale.ROOT, "aloe synth: writing %s %s (%.2f GB) to %s%n", c.name(), fileType,
                plan.dataBytes() / 1e9, out);
        plan.writer().write(out);
        err.printf(Locale.ROOT, "aloe synth: wrote %s (%.2f GB, tensors %s) in %.1f s%n", out, Files.size(out) / 1e9,
                plan.tensorTypes(), (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
