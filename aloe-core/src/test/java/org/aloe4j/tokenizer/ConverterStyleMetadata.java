package org.aloe4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds GGUF {@code tokenizer.ggml.*} metadata from a Hugging Face tokenizer.json the way llama.cpp's
 * {@code convert_hf_to_gguf.py} does for byte-level BPE ({@code get_vocab_base}): ids without a token become
 * {@code [PAD<i>]} (UNUSED), added tokens that are special or look special ({@code <|...|>}) become CONTROL,
 * other added tokens USER_DEFINED, the rest NORMAL; merges as {@code "left right"} strings. For tests only.
 */
final class ConverterStyleMetadata {
    private ConverterStyleMetadata() {}

    static Map<String, Object> fromTokenizerJson(Path tokenizerJson, String pre, String bosToken, String eosToken,
                                                 boolean addBos) throws IOException {
        JsonNode root = new ObjectMapper().readTree(tokenizerJson.toFile());
        Map<Integer, String> byId = new HashMap<>();
        Map<Integer, Integer> typeById = new HashMap<>();
        root.path("model").path("vocab").properties().forEach(e -> {
            byId.put(e.getValue().asInt(), e.getKey());
            typeById.put(e.getValue().asInt(), 1);
        });
        for (JsonNode a : root.path("added_tokens")) {
            String content = a.path("content").asText();
            boolean looksSpecial = content.startsWith("<|") && content.endsWith("|>");
            byId.put(a.path("id").asInt(), content);
            typeById.put(a.path("id").asInt(), a.path("special").asBoolean() || looksSpecial ? 3 : 4);
        }
        int n = byId.keySet().stream().mapToInt(Integer::intValue).max().orElseThrow() + 1;
        String[] tokens = new String[n];
        int[] types = new int[n];
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < n; i++) {
            tokens[i] = byId.getOrDefault(i, "[PAD" + i + "]");
            types[i] = typeById.getOrDefault(i, 5);
            ids.put(tokens[i], i);
        }
        List<String> merges = new ArrayList<>();
        for (JsonNode m : root.path("model").path("merges")) {
            merges.add(m.isArray() ? m.get(0).asText() + " " + m.get(1).asText() : m.asText());
        }
        Map<String, Object> md = new LinkedHashMap<>();
        md.put("tokenizer.ggml.model", "gpt2");
        md.put("tokenizer.ggml.pre", pre);
        md.put("tokenizer.ggml.tokens", tokens);
        md.put("tokenizer.ggml.token_type", types);
        md.put("tokenizer.ggml.merges", merges.toArray(String[]::new));
        if (bosToken != null) {
            md.put("tokenizer.ggml.bos_token_id", (long) ids.get(bosToken));
        }
        md.put("tokenizer.ggml.eos_token_id", (long) ids.get(eosToken));
        md.put("tokenizer.ggml.add_bos_token", addBos);
        return md;
    }
}
