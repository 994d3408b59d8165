package org.aloe4j.tokenizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.aloe4j.formats.ModelFormatException;

/**
 * Reads a Hugging Face {@code tokenizer.json} (and optionally {@code tokenizer_config.json}) into a byte-level BPE
 * tokenizer. Supported: model BPE with a ByteLevel pre-tokenizer (alone, or after a regex Split with behaviour
 * Isolated), normalizer absent or NFC. Anything else (WordPiece, Unigram, WordLevel, SentencePiece-style BPE with
 * Metaspace, other normalizers) is refused with a one-line message naming the file and the unsupported part.
 */
final class HfTokenizerJsonLoader {
    private HfTokenizerJsonLoader() {}

    /**
     * Field names are neither interned nor canonicalized: the 150k vocabulary keys are each seen once, and
     * interning them costs more than the rest of parsing.
     */
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .build());

    /** BOS/EOS settings from tokenizer_config.json; null fields mean "not said there". */
    record Config(String bosToken, String eosToken, Boolean addBosToken, Path file) {
        static final Config NONE = new Config(null, null, null, null);
    }

    static Config readConfig(Path configFile) {
        JsonNode root = readJson(configFile);
        JsonNode addBos = root.get("add_bos_token");
        return new Config(tokenContent(root.get("bos_token"), configFile, "bos_token"),
                tokenContent(root.get("eos_token"), configFile, "eos_token"),
                addBos == null || addBos.isNull() ? null : addBos.asBoolean(), configFile);
    }

    /** A special token given as a string or as an AddedToken object {@code {"content": ...}}. */
    private static String tokenContent(JsonNode node, Path file, String field) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isObject() && node.path("content").isTextual()) {
            return node.get("content").asText();
        }
        throw new ModelFormatException(file, field + " is neither a string nor an object with \"content\"");
    }

    /**
     * tokenizer.json with the two big parts (model.vocab, model.merges) read by streaming, everything else as a
     * tree: building a tree node for each of ~300k vocabulary and merge entries would triple the load time.
     */
    private record Parsed(JsonNode root, JsonNode model, Map<String, Integer> vocab, List<String[]> merges) {}

    private static Parsed parse(Path file) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode model = JSON.createObjectNode();
        Map<String, Integer> vocab = new HashMap<>(1 << 18);
        List<String[]> merges = new ArrayList<>(1 << 18);
        try (InputStream in = Files.newInputStream(file); JsonParser p = JSON.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new ModelFormatException(file, "not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (!name.equals("model") || value != JsonToken.START_OBJECT) {
                    root.set(name, JSON.readTree(p));
                    continue;
                }
                root.set("model", model);
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken fieldValue = p.nextToken();
                    if (field.equals("vocab") && fieldValue == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String text = p.currentName();
                            if (p.nextToken() != JsonToken.VALUE_NUMBER_INT || p.getIntValue() < 0) {
                                throw new ModelFormatException(file, "model.vocab entry '" + text
                                        + "' has no valid id");
                            }
                            vocab.put(text, p.getIntValue());
                        }
                    } else if (field.equals("merges") && fieldValue == JsonToken.START_ARRAY) {
                        readMerges(p, merges, file);
                    } else {
                        model.set(field, JSON.readTree(p));
                    }
                }
            }
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage().lines().findFirst().orElse("");
            throw new ModelFormatException(file, "cannot read JSON: " + why, e);
        }
        return new Parsed(root, model, vocab, merges);
    }

    /** Merges as {@code "left right"} strings (older files) or {@code ["left", "right"]} pairs. */
    private static void readMerges(JsonParser p, List<String[]> merges, Path file) throws IOException {
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == JsonToken.VALUE_STRING) {
                String s = p.getText();
                int space = s.indexOf(' ', 1);
                if (space < 0) {
                    throw new ModelFormatException(file, "merge #" + merges.size() + " is not a pair: " + s);
                }
                merges.add(new String[] {s.substring(0, space), s.substring(space + 1)});
            } else if (t == JsonToken.START_ARRAY && p.nextToken() == JsonToken.VALUE_STRING) {
                String left = p.getText();
                if (p.nextToken() != JsonToken.VALUE_STRING) {
                    throw new ModelFormatException(file, "merge #" + merges.size() + " is not a pair of strings");
                }
                String right = p.getText();
                if (p.nextToken() != JsonToken.END_ARRAY) {
                    throw new ModelFormatException(file, "merge #" + merges.size() + " has more than two parts");
                }
                merges.add(new String[] {left, right});
            } else {
                throw new ModelFormatException(file, "merge #" + merges.size() + " is not a pair");
            }
        }
    }

    static Tokenizer load(Path file, Config config) {
        Parsed parsed = parse(file);
        JsonNode root = parsed.root();
        JsonNode model = parsed.model();
        String modelType = model.path("type").asText("");
        if (modelType.isEmpty() && !parsed.merges().isEmpty()) {
            modelType = "BPE"; // files written by old versions of tokenizers have no "type"
        }
        if (!modelType.equals("BPE")) {
            throw unsupported(file, "tokenizer model '" + (modelType.isEmpty() ? "(none)" : modelType) + "'");
        }
        Pattern split = preTokenizer(root.path("pre_tokenizer"), file);
        boolean nfc = normalizer(root.path("normalizer"), file);
        checkBpeOptions(model, file);

        // vocabulary: model entries are normal tokens, "added_tokens" are special or user-defined
        Map<String, Integer> modelVocab = parsed.vocab();
        if (modelVocab.isEmpty()) {
            throw new ModelFormatException(file, "model.vocab is missing or empty");
        }
        int maxId = modelVocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1);
        record Added(int id, String content, boolean special) {}
        List<Added> added = new ArrayList<>();
        for (JsonNode a : root.path("added_tokens")) {
            int id = a.path("id").asInt(-1);
            String content = a.path("content").asText(null);
            if (id < 0 || content == null) {
                throw new ModelFormatException(file, "added_tokens entry without id or content: " + a);
            }
            added.add(new Added(id, content, a.path("special").asBoolean(false)));
            maxId = Math.max(maxId, id);
        }
        String[] texts = new String[maxId + 1];
        TokenType[] types = new TokenType[maxId + 1];
        modelVocab.forEach((text, id) -> {
            texts[id] = text;
            types[id] = TokenType.NORMAL;
        });
        for (Added a : added) {
            texts[a.id] = a.content;
            types[a.id] = a.special ? TokenType.CONTROL : TokenType.USER_DEFINED;
        }
        Map<String, Integer> ids = modelVocab; // reused as text-to-id map: one 150k-entry map less to build
        for (Added a : added) {
            ids.put(a.content, a.id); // an added token overrides a model entry with the same text, as in HF
        }

        MergeTable merges = new MergeTable(parsed.merges().size());
        int rank = 0;
        for (String[] pair : parsed.merges()) {
            addMerge(merges, ids, pair[0], pair[1], rank++, file);
        }

        // BOS: from tokenizer_config.json, else from a post-processor that puts a special token first
        int templateBos = templateBosId(root.path("post_processor"));
        Path configFile = config.file() != null ? config.file() : file;
        int bos = config.bosToken() != null ? lookup(ids, config.bosToken(), configFile, "bos_token") : templateBos;
        int eos = config.eosToken() != null ? lookup(ids, config.eosToken(), configFile, "eos_token") : -1;
        boolean addBos = config.addBosToken() != null ? config.addBosToken() : templateBos >= 0;
        if (addBos && bos < 0) {
            throw new ModelFormatException(configFile, "add_bos_token is true but no BOS token is defined");
        }
        Vocabulary vocab = new Vocabulary(file, texts, types, ids,
                Vocabulary.addedTokenMatcher(texts, types), bos, eos, addBos);
        return new ByteLevelBpeTokenizer(vocab, merges, split, nfc, model.path("ignore_merges").asBoolean(false));
    }

    private static JsonNode readJson(Path file) {
        try (var in = Files.newInputStream(file)) {
            return JSON.readTree(in);
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage().lines().findFirst().orElse("");
            throw new ModelFormatException(file, "cannot read JSON: " + why, e);
        }
    }

    private static ModelFormatException unsupported(Path file, String what) {
        return new ModelFormatException(file, "unsupported " + what
                + " (supported: byte-level BPE in tokenizer.json; SentencePiece 'llama' and BPE 'gpt2' in GGUF)");
    }

    /** The split regex; the pre-tokenizer must be byte-level. */
    private static Pattern preTokenizer(JsonNode pre, Path file) {
        List<JsonNode> steps = new ArrayList<>();
        if (pre.path("type").asText("").equals("Sequence")) {
            pre.path("pretokenizers").forEach(steps::add);
        } else if (!pre.isMissingNode() && !pre.isNull()) {
            steps.add(pre);
        }
        String regex = null;
        boolean byteLevel = false;
        for (JsonNode step : steps) {
            String type = step.path("type").asText("");
            switch (type) {
                case "Split" -> {
                    if (regex != null || byteLevel) {
                        throw unsupported(file, "pre_tokenizer sequence (more than one split)");
                    }
                    if (!step.path("behavior").asText("").equals("Isolated") || step.path("invert").asBoolean(false)) {
                        throw unsupported(file, "Split pre-tokenizer behavior '" + step.path("behavior").asText()
                                + "'" + (step.path("invert").asBoolean(false) ? " with invert" : ""));
                    }
                    JsonNode pattern = step.path("pattern");
                    if (pattern.has("Regex")) {
                        regex = pattern.get("Regex").asText();
                    } else if (pattern.has("String")) {
                        regex = Pattern.quote(pattern.get("String").asText());
                    } else {
                        throw new ModelFormatException(file, "Split pre-tokenizer without a pattern");
                    }
                }
                case "ByteLevel" -> {
                    if (step.path("add_prefix_space").asBoolean(false)) {
                        throw unsupported(file, "ByteLevel pre-tokenizer option add_prefix_space=true");
                    }
                    if (step.path("use_regex").asBoolean(true)) {
                        if (regex != null) {
                            throw unsupported(file, "pre_tokenizer sequence (Split and ByteLevel use_regex)");
                        }
                        regex = SplitPatterns.GPT2;
                    }
                    byteLevel = true;
                }
                default -> throw unsupported(file, "pre-tokenizer '" + (type.isEmpty() ? step : type) + "'");
            }
        }
        if (!byteLevel) {
            throw unsupported(file, "BPE without a ByteLevel pre-tokenizer (SentencePiece-style BPE)");
        }
        try {
            return SplitPatterns.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new ModelFormatException(file, "split regex not understood: " + e.getDescription());
        }
    }

    /** Whether to apply NFC; any other normalization is refused. */
    private static boolean normalizer(JsonNode normalizer, Path file) {
        if (normalizer.isMissingNode() || normalizer.isNull()) {
            return false;
        }
        String type = normalizer.path("type").asText("");
        if (type.equals("NFC")) {
            return true;
        }
        if (type.equals("Sequence")) {
            boolean nfc = false;
            for (JsonNode n : normalizer.path("normalizers")) {
                nfc |= normalizer(n, file);
            }
            return nfc;
        }
        throw unsupported(file, "normalizer '" + type + "'");
    }

    private static void checkBpeOptions(JsonNode model, Path file) {
        if (!model.path("continuing_subword_prefix").asText("").isEmpty()
                || !model.path("end_of_word_suffix").asText("").isEmpty()) {
            throw unsupported(file, "BPE with continuing_subword_prefix/end_of_word_suffix");
        }
        JsonNode dropout = model.path("dropout");
        if (dropout.isNumber() && dropout.asDouble() > 0) {
            throw unsupported(file, "BPE dropout " + dropout.asDouble() + " (random tokenization)");
        }
    }

    /** Adds one merge rule; its parts and its result must be tokens (Hugging Face refuses such files too). */
    static void addMerge(MergeTable merges, Map<String, Integer> ids, String left, String right, int rank,
                         Path file) {
        Integer a = ids.get(left);
        Integer b = ids.get(right);
        Integer merged = ids.get(left + right);
        if (a == null || b == null || merged == null) {
            throw new ModelFormatException(file, "merge #" + rank + " '" + left + " " + right
                    + "' uses or makes a token that is not in the vocabulary");
        }
        merges.putIfAbsent(a, b, rank, merged);
    }

    private static int lookup(Map<String, Integer> ids, String text, Path file, String what) {
        Integer id = ids.get(text);
        if (id == null) {
            throw new ModelFormatException(file, what + " '" + text + "' is not a token of the tokenizer's vocabulary");
        }
        return id;
    }

    /** The id a TemplateProcessing post-processor puts in front of a single sequence, or -1. */
    private static int templateBosId(JsonNode post) {
        String type = post.path("type").asText("");
        if (type.equals("Sequence")) {
            for (JsonNode p : post.path("processors")) {
                int id = templateBosId(p);
                if (id >= 0) {
                    return id;
                }
            }
            return -1;
        }
        if (!type.equals("TemplateProcessing")) {
            return -1;
        }
        JsonNode first = post.path("single").path(0);
        if (!first.has("SpecialToken")) {
            return -1;
        }
        String name = first.get("SpecialToken").path("id").asText();
        JsonNode idsNode = post.path("special_tokens").path(name).path("ids");
        return idsNode.size() == 1 ? idsNode.get(0).asInt(-1) : -1;
    }
}
