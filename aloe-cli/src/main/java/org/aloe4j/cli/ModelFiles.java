package org.aloe4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Optional;
import org.aloe4j.hub.DownloadPlan;
import org.aloe4j.hub.HubConfig;
import org.aloe4j.hub.HubException;
import org.aloe4j.hub.ModelLocator;
import org.aloe4j.formats.ModelFormatException;
import org.aloe4j.formats.gguf.GGUFFile;
import org.aloe4j.template.ChatTemplate;
import org.aloe4j.tokenizer.Tokenizer;
import org.aloe4j.tokenizer.Tokenizers;

/** What the commands accept as PATH: a GGUF file, a Hugging Face directory, or a tokenizer.json. */
final class ModelFiles {
    private ModelFiles() {}

    static final ObjectMapper JSON = new ObjectMapper();

    /** The model the commands use when --model is not given: the model card's 7B, pulled on first use. */
    static final String DEFAULT_MODEL = "HPAI-BSC/Qwen2.5-Aloe-Beta-7B";

    /**
     * What users pass as --model: a local GGUF file or Hugging Face directory as it is; a hub repository
     * ({@code ORG/NAME}, or {@code ORG/NAME:FILE.gguf}) from the Hugging Face cache, downloaded first when missing
     * (after saying how much), with progress on stderr.
     */
    static Path resolve(String spec) {
        return resolve(spec, System.getenv());
    }

    /** {@link #resolve(String)} with a given environment (HF_HOME, HF_ENDPOINT, HF_TOKEN, ...; tests). */
    static Path resolve(String spec, java.util.Map<String, String> environment) {
        Path local = Path.of(spec);
        if (Files.exists(local)) {
            return local;
        }
        if (ModelLocator.HubSpec.parse(spec).isEmpty()) {
            throw new ModelFormatException(local, "no such file or directory (and not a hub repository ORG/NAME)");
        }
        PrintWriter err = new PrintWriter(System.err, true);
        HubConfig config = HubConfig.fromEnvironment(environment);
        try {
            Optional<DownloadPlan> plan = ModelLocator.plan(spec, config);
            if (plan.isPresent() && plan.get().bytesToDownload() > 0) {
                err.println("aloe: " + spec + " is not in the Hugging Face cache yet: downloading "
                        + DownloadPlan.formatBytes(plan.get().bytesToDownload()) + " (resumable; Ctrl-C to stop)");
            }
            try (PullProgress progress = PullProgress.forStderr(err)) {
                return ModelLocator.resolve(spec, config, progress);
            }
        } catch (HubException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(spec + ": " + e.getMessage(), e);
        }
    }

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
