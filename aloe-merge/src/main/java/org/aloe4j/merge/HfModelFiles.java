package org.aloe4j.merge;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.aloe4j.formats.safetensors.SafeTensorsModel;

/** The non-weight files of Hugging Face model directories: finding the inputs, copying config and tokenizer. */
final class HfModelFiles {
    static final String CONFIG = "config.json";
    /** What mergekit's {@code _copy_tokenizer} copies (plus the vocabulary of BPE tokenizers without tokenizer.json). */
    static final List<String> TOKENIZER_FILES = List.of("tokenizer_config.json", "special_tokens_map.json",
            "tokenizer.json", "tokenizer.model", "added_tokens.json", "vocab.json", "merges.txt", "chat_template.jinja",
            "chat_template.json", "generation_config.json");
    private static final ObjectMapper JSON = new ObjectMapper();

    private HfModelFiles() {}

    /**
     * The local directory a configuration's model reference names: the path as given (relative to the working
     * directory), else relative to the configuration's folder. It must hold safetensors weights.
     */
    static Path resolve(String reference, Path configDir) {
        List<Path> tried = new ArrayList<>();
        Path direct = Path.of(reference);
        tried.add(direct);
        if (configDir != null && !direct.isAbsolute()) {
            tried.add(configDir.resolve(reference));
        }
        for (Path p : tried) {
            if (Files.isDirectory(p)) {
                Path dir = p.toAbsolutePath().normalize();
                if (!Files.isRegularFile(dir.resolve(SafeTensorsModel.SINGLE_FILE))
                        && !Files.isRegularFile(dir.resolve(SafeTensorsModel.INDEX_FILE))) {
                    throw new MergeException("model " + reference + ": " + dir + " holds no "
                            + SafeTensorsModel.SINGLE_FILE + " or " + SafeTensorsModel.INDEX_FILE);
                }
                return dir;
            }
        }
        throw new MergeException("model " + reference + ": no such directory (aloe merge reads local Hugging Face "
                + "model directories; download the model first)");
    }

    /** The parsed config.json of a model directory. */
    static ObjectNode readConfig(Path modelDir) {
        Path file = modelDir.resolve(CONFIG);
        if (!Files.isRegularFile(file)) {
            throw new MergeException(modelDir + ": no " + CONFIG);
        }
        try {
            JsonNode node = JSON.readTree(file.toFile());
            if (!(node instanceof ObjectNode o)) {
                throw new MergeException(file + ": not a JSON object");
            }
            return o;
        } catch (IOException e) {
            throw new MergeException(file + ": cannot read: " + e.getMessage().replaceAll("\\s+", " "), e);
        }
    }

    /** Writes {@code config} as {@code dir/config.json}, indented as transformers writes it. */
    static Path writeConfig(ObjectNode config, Path dir) throws IOException {
        DefaultPrettyPrinter pretty = new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n"))
                .withArrayIndenter(new DefaultIndenter("  ", "\n"));
        Path out = dir.resolve(CONFIG);
        Files.writeString(out, JSON.writer(pretty).writeValueAsString(config) + "\n");
        return out;
    }

    /** Checks that {@code donor} has a tokenizer that can be copied (mergekit's condition for copying files). */
    static void checkTokenizer(Path donor, String reference) {
        boolean config = Files.isRegularFile(donor.resolve("tokenizer_config.json"));
        boolean model = Files.isRegularFile(donor.resolve("tokenizer.json"))
                || Files.isRegularFile(donor.resolve("tokenizer.model"));
        if (!config || !model) {
            throw new MergeException("tokenizer source " + reference + " (" + donor + ") has no tokenizer_config.json "
                    + "with tokenizer.json or tokenizer.model");
        }
    }

    /**
     * Checks that the tokenizer of {@code donor} has the same vocabulary as that of {@code base}: the embeddings are
     * merged row by row, so another vocabulary would need mergekit's embedding permutation, which aloe merge lacks.
     */
    static void checkSameVocabulary(Path donor, String donorRef, Path base, String baseRef) {
        JsonNode a = tokenizerVocabulary(donor);
        JsonNode b = tokenizerVocabulary(base);
        if (a == null || b == null) {
            if (!sameFile(donor.resolve("tokenizer.model"), base.resolve("tokenizer.model"))) {
                throw new MergeException("tokenizer_source " + donorRef + ": cannot check that its vocabulary equals "
                        + "that of " + baseRef + " (no tokenizer.json); use tokenizer_source: base");
            }
            return;
        }
        if (!a.equals(b)) {
            throw new MergeException("tokenizer_source " + donorRef + " has a different vocabulary from " + baseRef
                    + "; aloe merge does not re-map embedding rows (use tokenizer_source: base)");
        }
    }

    private static JsonNode tokenizerVocabulary(Path dir) {
        Path file = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            JsonNode root = JSON.readTree(file.toFile());
            ObjectNode v = JSON.createObjectNode();
            v.set("model", root.path("model").path("vocab"));
            v.set("added_tokens", root.path("added_tokens"));
            return v;
        } catch (IOException e) {
            throw new MergeException(file + ": cannot read: " + e.getMessage().replaceAll("\\s+", " "), e);
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.isRegularFile(a) && Files.isRegularFile(b) && Files.mismatch(a, b) == -1;
        } catch (IOException e) {
            return false;
        }
    }

    /** Copies the tokenizer (and generation config) files present in {@code donor} into {@code dir}. */
    static List<Path> copyTokenizer(Path donor, Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        for (String name : TOKENIZER_FILES) {
            Path src = donor.resolve(name);
            if (Files.isRegularFile(src)) {
                out.add(Files.copy(src, dir.resolve(name)));
            }
        }
        return out;
    }

    /** Deletes {@code dir} and everything in it; best effort, quiet. */
    static void deleteTree(Path dir) {
        Objects.requireNonNull(dir);
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted((x, y) -> y.getNameCount() - x.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | RuntimeException e) {
            // leave what cannot be deleted; the caller reports the original failure
        }
    }
}
