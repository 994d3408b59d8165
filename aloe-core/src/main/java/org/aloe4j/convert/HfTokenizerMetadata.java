package org.aloe4j.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aloe4j.formats.ModelFormatException;
import org.aloe4j.formats.gguf.GGUFValueType;
import org.aloe4j.formats.gguf.GGUFWriter;

/**
 * The {@code tokenizer.ggml.*} metadata and chat template of a GGUF file, made from a Hugging Face directory's
 * {@code tokenizer.json}, {@code tokenizer_config.json} and {@code config.json} with the rules of llama.cpp's
 * converter for byte-level BPE ({@code get_vocab_base} and gguf-py's {@code SpecialVocab}):
 * <ul>
 *   <li>one token per id up to the model's vocabulary size; ids without a token become {@code [PAD<id>]} (UNUSED);
 *       added tokens are CONTROL when marked special or shaped like {@code <|...|>}, else USER_DEFINED; the rest
 *       NORMAL;</li>
 *   <li>merges as {@code "left right"} strings (a space inside a part written as U+0120, as gguf-py does);</li>
 *   <li>special ids from {@code tokenizer_config.json} ({@code bos_token}, {@code eos_token}, ... matched against the
 *       added tokens), then from {@code config.json} ({@code bos_token_id}, ...) for those still unset;
 *       {@code add_bos_token} from {@code tokenizer_config.json}, else from a post-processor that prepends BOS;</li>
 *   <li>{@code tokenizer.ggml.pre} from the pre-tokenizer's split regex: Qwen2's gives {@code qwen2}, Llama 3's
 *       {@code llama-bpe}, GPT-2's byte-level regex {@code gpt-2}. (llama.cpp's converter recognises the tokenizer
 *       by hashing the tokens of a test string instead; a regex we do not know is refused rather than guessed.)</li>
 * </ul>
 */
public final class HfTokenizerMetadata {
    private HfTokenizerMetadata() {}

    /** Qwen2/2.5's split regex in tokenizer.json. */
    static final String QWEN2_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}|"
            + " ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    /** Llama 3's split regex: digits in groups of up to three. */
    static final String LLAMA3_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}|"
            + " ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    static final int NORMAL = 1;
    static final int CONTROL = 3;
    static final int USER_DEFINED = 4;
    static final int UNUSED = 5;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] SPECIAL_KINDS = {"bos", "eos", "unk", "sep", "pad", "mask"};
    private static final Map<String, String> ID_KEYS = Map.of(
            "bos", "tokenizer.ggml.bos_token_id",
            "eos", "tokenizer.ggml.eos_token_id",
            "unk", "tokenizer.ggml.unknown_token_id",
            "sep", "tokenizer.ggml.seperator_token_id", // sic: llama.cpp's key
            "pad", "tokenizer.ggml.padding_token_id",
            "mask", "tokenizer.ggml.mask_token_id");

    /**
     * Adds the tokenizer and chat template of {@code dir} to {@code w}.
     *
     * @param vocabSize rows of the model's embedding (config.json {@code vocab_size}); the token list is padded to it
     * @throws ModelFormatException naming the file when the tokenizer is missing, not byte-level BPE, or inconsistent
     */
    public static void put(Path dir, int vocabSize, GGUFWriter w) {
        Path tokFile = dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(tokFile)) {
            throw new ModelFormatException(dir, "no tokenizer.json (a byte-level BPE tokenizer.json is needed)");
        }
        JsonNode tok = readJson(tokFile);
        JsonNode model = tok.path("model");
        if (!model.path("type").asText("BPE").equals("BPE") || !model.path("vocab").isObject()) {
            throw new ModelFormatException(tokFile, "model type '" + model.path("type").asText()
                    + "' is not supported (only byte-level BPE)");
        }
        String pre = preTokenizer(tokFile, tok.path("pre_tokenizer"));

        // tokens and types
        String[] tokens = new String[vocabSize];
        int[] types = new int[vocabSize];
        for (Map.Entry<String, JsonNode> e : model.path("vocab").properties()) {
            int id = e.getValue().asInt(-1);
            checkId(tokFile, e.getKey(), id, vocabSize);
            tokens[id] = e.getKey();
            types[id] = NORMAL;
        }
        Map<String, Integer> addedIds = new LinkedHashMap<>();
        for (JsonNode a : tok.path("added_tokens")) {
            String content = a.path("content").asText();
            int id = a.path("id").asInt(-1);
            checkId(tokFile, content, id, vocabSize);
            tokens[id] = content;
            types[id] = a.path("special").asBoolean(false) || looksSpecial(content) ? CONTROL : USER_DEFINED;
            addedIds.putIfAbsent(content, id);
        }
        for (int i = 0; i < vocabSize; i++) {
            if (tokens[i] == null) {
                tokens[i] = "[PAD" + i + "]";
                types[i] = UNUSED;
            }
        }

        List<String> merges = new ArrayList<>();
        for (JsonNode m : model.path("merges")) {
            if (m.isTextual()) {
                merges.add(m.asText());
            } else if (m.isArray() && m.size() == 2) {
                merges.add(m.get(0).asText().replace(' ', '\u0120') + " " + m.get(1).asText().replace(' ', '\u0120'));
            } else {
                throw new ModelFormatException(tokFile, "merge " + merges.size() + " is neither 'a b' nor [a, b]");
            }
        }

        // special ids and add_bos / add_eos
        Path configFile = dir.resolve("tokenizer_config.json");
        JsonNode tc = Files.isRegularFile(configFile) ? readJson(configFile) : null;
        Map<String, Integer> ids = new LinkedHashMap<>();
        Boolean addBos = null;
        Boolean addEos = null;
        if (tc != null) {
            String first = templateFirstSpecial(tok.path("post_processor"));
            String bosText = tokenText(tc.get("bos_token"));
            if (first != null) {
                addBos = first.equals(bosText) || first.equals(tokenText(tc.get("cls_token")));
            }
            for (String kind : SPECIAL_KINDS) {
                String text = tokenText(tc.get(kind + "_token"));
                if (text != null && addedIds.containsKey(text)) {
                    ids.putIfAbsent(kind, addedIds.get(text));
                }
            }
            if (tc.path("add_bos_token").isBoolean()) {
                addBos = tc.get("add_bos_token").asBoolean();
            }
            if (tc.path("add_eos_token").isBoolean()) {
                addEos = tc.get("add_eos_token").asBoolean();
            }
        }
        Path modelConfig = dir.resolve("config.json");
        if (Files.isRegularFile(modelConfig)) {
            JsonNode mc = readJson(modelConfig);
            for (String kind : SPECIAL_KINDS) {
                JsonNode v = mc.get(kind + "_token_id");
                if (v != null && v.isInt() && v.asInt() >= 0 && v.asInt() < vocabSize) {
                    ids.putIfAbsent(kind, v.asInt());
                }
            }
        }

        w.putString("tokenizer.ggml.model", "gpt2");
        w.putString("tokenizer.ggml.pre", pre);
        w.putStringArray("tokenizer.ggml.tokens", tokens);
        w.putArray("tokenizer.ggml.token_type", GGUFValueType.INT32, types);
        w.putStringArray("tokenizer.ggml.merges", merges.toArray(String[]::new));
        for (String kind : SPECIAL_KINDS) {
            if (ids.containsKey(kind)) {
                w.putUint32(ID_KEYS.get(kind), ids.get(kind));
            }
        }
        if (addBos != null) {
            w.putBool("tokenizer.ggml.add_bos_token", addBos);
        }
        if (addEos != null) {
            w.putBool("tokenizer.ggml.add_eos_token", addEos);
        }
        putChatTemplates(dir, tc, w);
    }

    private static void putChatTemplates(Path dir, JsonNode tc, GGUFWriter w) {
        JsonNode template = tc == null ? null : tc.get("chat_template");
        if (template == null || template.isNull()) {
            Path jinja = dir.resolve("chat_template.jinja");
            Path json = dir.resolve("chat_template.json");
            try {
                if (Files.isRegularFile(jinja)) {
                    w.putString("tokenizer.chat_template", Files.readString(jinja));
                    return;
                }
            } catch (IOException e) {
                throw new ModelFormatException(jinja, "cannot read: " + e.getMessage(), e);
            }
            if (Files.isRegularFile(json)) {
                template = readJson(json).get("chat_template");
            }
        }
        if (template == null || template.isNull()) {
            return;
        }
        if (template.isTextual()) {
            w.putString("tokenizer.chat_template", template.asText());
        } else if (template.isArray()) {
            for (JsonNode named : template) {
                String name = named.path("name").asText("");
                String text = named.path("template").asText(null);
                if (text != null) {
                    w.putString(name.equals("default") ? "tokenizer.chat_template" : "tokenizer.chat_template." + name,
                            text);
                }
            }
        }
    }

    /** The pre-tokenizer name llama.cpp knows for this pre_tokenizer. */
    static String preTokenizer(Path file, JsonNode pre) {
        List<JsonNode> steps = new ArrayList<>();
        if (pre.path("type").asText().equals("Sequence")) {
            pre.path("pretokenizers").forEach(steps::add);
        } else if (!pre.isMissingNode() && !pre.isNull()) {
            steps.add(pre);
        }
        String regex = null;
        boolean byteLevel = false;
        boolean byteLevelRegex = false;
        for (JsonNode s : steps) {
            switch (s.path("type").asText()) {
                case "Split" -> regex = s.path("pattern").path("Regex").asText(null);
                case "ByteLevel" -> {
                    byteLevel = true;
                    byteLevelRegex = s.path("use_regex").asBoolean(true);
                }
                default -> throw new ModelFormatException(file, "pre-tokenizer step '" + s.path("type").asText()
                        + "' is not supported (byte-level BPE with a Split regex only)");
            }
        }
        if (!byteLevel) {
            throw new ModelFormatException(file, "not a byte-level BPE tokenizer (no ByteLevel pre-tokenizer)");
        }
        if (regex == null && byteLevelRegex) {
            return "gpt-2";
        }
        if (QWEN2_SPLIT.equals(regex)) {
            return "qwen2";
        }
        if (LLAMA3_SPLIT.equals(regex)) {
            return "llama-bpe";
        }
        throw new ModelFormatException(file, "the pre-tokenizer's split regex is not one llama.cpp knows by name "
                + "(supported: Qwen2, Llama 3, GPT-2)");
    }

    /** The content of the first special token of a TemplateProcessing "single" template, or null. */
    private static String templateFirstSpecial(JsonNode postProcessor) {
        List<JsonNode> procs = new ArrayList<>();
        if (postProcessor.has("processors")) {
            postProcessor.get("processors").forEach(procs::add);
        } else {
            procs.add(postProcessor);
        }
        for (JsonNode p : procs) {
            if (p.path("type").asText().equals("TemplateProcessing")) {
                JsonNode single = p.path("single");
                if (single.size() > 1) {
                    return single.get(0).path("SpecialToken").path("id").asText(null);
                }
            }
        }
        return null;
    }

    /** A special token as tokenizer_config.json gives it: a string, or an object with "content". */
    private static String tokenText(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isTextual()) {
            return v.asText();
        }
        JsonNode c = v.get("content");
        return c != null && c.isTextual() ? c.asText() : null;
    }

    /** llama.cpp's converter treats <|...|> added tokens as control tokens even when not marked special. */
    static boolean looksSpecial(String text) {
        return (text.startsWith("<|") && text.endsWith("|>")) || (text.startsWith("<\uFF5C") && text.endsWith("\uFF5C>"))
                || text.equals("<pad>") || text.equals("<mask>");
    }

    private static void checkId(Path file, String token, int id, int vocabSize) {
        if (id < 0 || id >= vocabSize) {
            throw new ModelFormatException(file, "token '" + token + "' has id " + id + ", outside the model's "
                    + vocabSize + " embedding rows");
        }
    }

    private static JsonNode readJson(Path p) {
        try {
            return JSON.readTree(p.toFile());
        } catch (IOException e) {
            throw new ModelFormatException(p, "malformed JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }
}
