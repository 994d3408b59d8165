package org.aloe4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.aloe4j.formats.ModelFormatException;
import org.aloe4j.formats.gguf.GGUFFile;
import org.aloe4j.template.ChatTemplate;
import org.aloe4j.tokenizer.Tokenizer;
import org.aloe4j.tokenizer.Tokenizers;

/** What the commands accept as PATH: a GGUF file, a Hugging Face directory, or a tokenizer.json. */
final class ModelFiles {
    private ModelFiles() {}

    static final ObjectMapper JSON = new ObjectMapper();

    static boolean isGguf(Path p) {
        return Files.isRegularFile(p) && p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gguf");
    }

    static Path requireExists(Path p) {
        if (!Files.exists(p)) {
            throw new ModelFormatException(p, "no such file or directory");
        }
        return p;
    }

    static Tokenizer tokenizer(Path p) {
        requireExists(p);
        if (Files.isDirectory(p)) {
            return Tokenizers.fromHfDirectory(p);
        }
        if (p.getFileName().toString().endsWith(".json")) {
            return Tokenizers.fromTokenizerJson(p);
        }
        try (GGUFFile g = GGUFFile.open(p)) {
            return Tokenizers.fromGGUFMetadata(g.metadata(), p);
        }
    }

    /** The model's own chat template: GGUF tokenizer.chat_template, or tokenizer_config.json beside the model. */
    static ChatTemplate template(Path p) {
        requireExists(p);
        if (Files.isDirectory(p) || p.getFileName().toString().endsWith(".json")) {
            Path dir = Files.isDirectory(p) ? p : p.toAbsolutePath().getParent();
            Path tc = dir.resolve("tokenizer_config.json");
            if (!Files.isRegularFile(tc)) {
                throw new ModelFormatException(dir, "no tokenizer_config.json, so no chat template");
            }
            return ChatTemplate.fromTokenizerConfig(tc);
        }
        try (GGUFFile g = GGUFFile.open(p)) {
            String t = g.getString("tokenizer.chat_template");
            if (t == null || t.isBlank()) {
                throw new ModelFormatException(p, "has no chat template (tokenizer.chat_template)");
            }
            return ChatTemplate.of(t);
        }
    }

    static JsonNode readJson(Path p) {
        requireExists(p);
        try {
            return JSON.readTree(p.toFile());
        } catch (IOException e) {
            throw new ModelFormatException(p, "malformed JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }
}
