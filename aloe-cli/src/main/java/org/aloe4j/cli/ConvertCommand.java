package org.aloe4j.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.aloe4j.convert.HfToGguf;
import org.aloe4j.formats.ModelFormatException;
import org.aloe4j.quantize.FileType;
import org.aloe4j.tensors.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code aloe convert (HF_DIR | REPO) --type TYPE --out FILE.gguf}: a Hugging Face model to a GGUF file. */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = {"Convert a Hugging Face Qwen2 / Llama model (safetensors) into a GGUF file that llama.cpp and "
                + "aloe load: llama.cpp's tensor names and q/k layout, the tokenizer and chat template in the "
                + "metadata, and llama-quantize's per-tensor type mix for the quantized types.",
                "Streams tensor by tensor: memory stays a few tensors' worth, not the model."})
public final class ConvertCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "HF_DIR|REPO",
            description = "A Hugging Face model directory, or a hub repository ORG/NAME (downloaded when missing).")
    String model;

    @Option(names = "--type", required = true, paramLabel = "TYPE",
            description = "F32, F16, BF16, Q8_0, Q4_0, Q4_K_M, Q5_K_M or Q6_K.")
    String type;

    @Option(names = {"--out", "-o"}, required = true, paramLabel = "FILE.gguf", description = "The file to write.")
    Path out;

    @Option(names = "--name", description = "general.name in the file (default: the directory or repository name).")
    String name;

    @Option(names = "--threads", description = "Worker threads (default: the number of processors).")
    Integer threads;

    private final Map<String, String> environment;

    public ConvertCommand() {
        this(System.getenv());
    }

    /** With a given environment (tests: a fake hub's HF_ENDPOINT and HF_HOME). */
    ConvertCommand(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws Exception {
        FileType fileType = FileType.parse(type);
        if (threads != null) {
            Parallel.setThreads(threads);
        }
        Path dir = ModelFiles.resolve(model, environment);
        if (!Files.isDirectory(dir)) {
            throw new ModelFormatException(dir, ModelFiles.isGguf(dir)
                    ? "is already a GGUF file (convert takes a Hugging Face directory)"
                    : "is not a Hugging Face model directory");
        }
        String modelName = name != null ? name : defaultName(model, dir);
        PrintWriter err = new PrintWriter(System.err, true);
        ProgressLine progress = new ProgressLine(err);
        HfToGguf.Result r = HfToGguf.convert(dir, fileType, out, modelName,
                (index, count, tensor, t, done, total) -> progress.update(String.format(Locale.ROOT,
                        "aloe convert: [%d/%d] %s %s  %.0f%% of %.2f GB", index + 1, count, tensor, t,
                        100.0 * done / Math.max(1, total), total / 1e9)));
        progress.message(String.format(Locale.ROOT, "aloe convert: wrote %s (%s, %.2f GB, tensors %s) in %.1f s",
                out, fileType, Files.size(out) / 1e9, r.tensorTypes(), progress.seconds()));
        return 0;
    }

    /** The repository's model name (after the slash), or the directory name. */
    static String defaultName(String spec, Path dir) {
        if (!Files.exists(Path.of(spec)) && spec.contains("/")) {
            String repo = spec.contains(":") ? spec.substring(0, spec.indexOf(':')) : spec;
            return repo.substring(repo.lastIndexOf('/') + 1);
        }
        Path f = dir.toAbsolutePath().normalize().getFileName();
        return f == null ? "model" : f.toString();
    }
}
