package org.aloe4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.aloe4j.formats.gguf.GGUFFile;
import org.aloe4j.formats.gguf.GGUFTensorInfo;
import org.aloe4j.formats.safetensors.SafeTensor;
import org.aloe4j.formats.safetensors.SafeTensorsModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "inspect", description = "Prints a model's architecture, dimensions, context length, vocabulary size,"
        + " parameter count, and the tensor types used with their share of bytes.")
final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PATH", description = "GGUF file or Hugging Face model directory")
    Path path;

    /** Per tensor type: tensors, elements, bytes. */
    private final Map<String, long[]> types = new TreeMap<>();

    @Override
    public Integer call() {
        ModelFiles.requireExists(path);
        if (Files.isDirectory(path)) {
            inspectHf(path);
        } else {
            inspectGguf(path);
        }
        return 0;
    }

    private void inspectGguf(Path file) {
        try (GGUFFile g = GGUFFile.open(file)) {
            String arch = g.getString("general.architecture", "?");
            String p = arch + ".";
            line("file", file + " (GGUF v" + g.version() + ")");
            line("name", g.getString("general.name", "-"));
            line("architecture", arch);
            line("layers", g.getLong(p + "block_count", -1));
            line("embedding", g.getLong(p + "embedding_length", -1));
            line("feed-forward", g.getLong(p + "feed_forward_length", -1));
            long heads = g.getLong(p + "attention.head_count", -1);
            line("heads / kv heads", heads + " / " + g.getLong(p + "attention.head_count_kv", heads));
            line("context length", g.getLong(p + "context_length", -1));
            line("rope theta", g.getFloat(p + "rope.freq_base", Float.NaN));
            String[] tokens = g.getStringArray("tokenizer.ggml.tokens");
            line("vocabulary", tokens == null ? "-" : tokens.length + " (" + g.getString("tokenizer.ggml.model", "?") + ")");
            line("chat template", g.getString("tokenizer.chat_template") != null ? "yes" : "no");
            for (GGUFTensorInfo t : g.tensors()) {
                add(t.type().name(), t.elements(), t.byteSize());
            }
            printTypes(g.tensors().size());
        }
    }

    private void inspectHf(Path dir) {
        JsonNode cfg = ModelFiles.readJson(dir.resolve("config.json"));
        line("directory", dir + " (Hugging Face)");
        line("architecture", cfg.path("model_type").asText("?") + " " + cfg.path("architectures").path(0).asText(""));
        line("layers", cfg.path("num_hidden_layers").asLong(-1));
        line("embedding", cfg.path("hidden_size").asLong(-1));
        line("feed-forward", cfg.path("intermediate_size").asLong(-1));
        line("heads / kv heads", cfg.path("num_attention_heads").asLong(-1) + " / " + cfg.path("num_key_value_heads").asLong(-1));
        line("context length", cfg.path("max_position_embeddings").asLong(-1));
        line("rope theta", cfg.path("rope_theta").asDouble(Double.NaN));
        line("vocabulary", cfg.path("vocab_size").asLong(-1));
        line("chat template", Files.isRegularFile(dir.resolve("tokenizer_config.json"))
                && ModelFiles.readJson(dir.resolve("tokenizer_config.json")).has("chat_template") ? "yes" : "no");
        try (SafeTensorsModel st = SafeTensorsModel.open(dir)) {
            for (SafeTensor t : st.tensors()) {
                long n = 1;
                for (long d : t.shape()) {
                    n *= d;
                }
                add(t.dtype().name(), n, t.data().byteSize());
            }
            printTypes(st.tensors().size());
        }
    }

    private void add(String type, long elements, long bytes) {
        long[] a = types.computeIfAbsent(type, k -> new long[3]);
        a[0]++;
        a[1] += elements;
        a[2] += bytes;
    }

    private void printTypes(int tensorCount) {
        long params = 0, bytes = 0;
        for (long[] a : types.values()) {
            params += a[1];
            bytes += a[2];
        }
        line("parameters", String.format(Locale.ROOT, "%,d (%.2f B)", params, params / 1e9));
        line("tensors", tensorCount + ", " + String.format(Locale.ROOT, "%,d bytes (%.2f GB)", bytes, bytes / 1e9));
        System.out.println("tensor types:");
        for (Map.Entry<String, long[]> e : types.entrySet()) {
            long[] a = e.getValue();
            System.out.printf(Locale.ROOT, "  %-6s %4d tensors  %,16d bytes  %5.1f%%%n", e.getKey(), a[0], a[2],
                    bytes == 0 ? 0.0 : 100.0 * a[2] / bytes);
        }
    }

    private static void line(String key, Object value) {
        System.out.printf(Locale.ROOT, "%-17s %s%n", key + ":", value);
    }
}
