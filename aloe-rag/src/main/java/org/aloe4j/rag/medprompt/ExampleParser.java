package org.aloe4j.rag.medprompt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one knowledge-base example from a JSON object:
 * {@code {"question": str, "options": {"A": str, ...} | [str, ...], "reasoning": str, "answer": "A" | "[A]" | option
 * text, "id": optional}}. Options given as a list are lettered A, B, C... in order. Without an id, the example gets
 * {@code "q-"} + the first 16 hex digits of the SHA-256 of its question and options, so importing the same file
 * twice replaces rather than duplicates.
 */
public final class ExampleParser {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LETTER = Pattern.compile("^[\\[(]?\\s*([A-Za-z])\\s*[\\])]?\\.?$");

    private ExampleParser() {}

    /** The example in {@code line}; an {@link IllegalArgumentException} with a short reason when it is not one. */
    public static Example parse(String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        String question = text(node, "question");
        String reasoning = text(node, "reasoning");
        LinkedHashMap<String, String> options = options(node.get("options"));
        String answer = answer(node.get("answer"), options);
        JsonNode idNode = node.get("id");
        String id = idNode != null && (idNode.isTextual() || idNode.isNumber()) && !idNode.asText().isBlank()
                ? idNode.asText() : derivedId(question, options);
        return new Example(id, question, options, reasoning, answer);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("missing field '" + field + "'");
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw new IllegalArgumentException("field '" + field + "' is not a non-empty string");
        }
        return v.asText();
    }

    private static LinkedHashMap<String, String> options(JsonNode v) {
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("missing field 'options'");
        }
        LinkedHashMap<String, String> out = new LinkedHashMap<>();
        if (v.isObject()) {
            for (Map.Entry<String, JsonNode> e : v.properties()) {
                if (!e.getValue().isValueNode() || e.getKey().isBlank()) {
                    throw new IllegalArgumentException("option '" + e.getKey() + "' is not a string");
                }
                out.put(e.getKey().strip(), e.getValue().asText());
            }
        } else if (v.isArray()) {
            if (v.size() > 26) {
                throw new IllegalArgumentException("more than 26 options");
            }
            for (int i = 0; i < v.size(); i++) {
                if (!v.get(i).isValueNode()) {
                    throw new IllegalArgumentException("option " + (i + 1) + " is not a string");
                }
                out.put(String.valueOf((char) ('A' + i)), v.get(i).asText());
            }
        } else {
            throw new IllegalArgumentException("field 'options' is neither an object nor a list");
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("field 'options' is empty");
        }
        return out;
    }

    private static String answer(JsonNode v, Map<String, String> options) {
        if (v == null || v.isNull() || !v.isTextual() || v.asText().isBlank()) {
            throw new IllegalArgumentException("missing field 'answer' (an option letter)");
        }
        String a = v.asText().strip();
        if (options.containsKey(a)) {
            return a;
        }
        Matcher m = LETTER.matcher(a);
        if (m.matches()) {
            String letter = m.group(1).toUpperCase();
            if (options.containsKey(letter)) {
                return letter;
            }
        }
        for (Map.Entry<String, String> e : options.entrySet()) {
            if (e.getValue().strip().equalsIgnoreCase(a)) {
                return e.getKey();
            }
        }
        throw new IllegalArgumentException("answer '" + a + "' is none of the options " + options.keySet());
    }

    static String derivedId(String question, Map<String, String> options) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(question.getBytes(StandardCharsets.UTF_8));
            options.forEach((k, v) -> {
                sha.update((byte) '\n');
                sha.update((k + "\u001f" + v).getBytes(StandardCharsets.UTF_8));
            });
            return "q-" + HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }
}
