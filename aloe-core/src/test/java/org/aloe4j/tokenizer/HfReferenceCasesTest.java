package org.aloe4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Inputs picked where Java and Hugging Face could part: Unicode whitespace (NBSP, U+202F, U+3000, U+0085,
 * U+2028), case-folded contractions, marks, non-ASCII digits, emoji sequences, CR/LF runs, and added-token text
 * with and without parseSpecial. Expected ids come from Hugging Face {@code tokenizers} 0.23.2 itself
 * ({@code hf-reference-cases.json}, made by {@code make_hf_reference_cases.py} next to it). The llama.cpp vectors
 * contain no Unicode whitespace, so without these cases Java's ASCII-only {@code \s} would go unnoticed.
 */
class HfReferenceCasesTest {
    private static JsonNode cases;

    @BeforeAll
    static void readCases() throws IOException {
        try (InputStream in = HfReferenceCasesTest.class.getResourceAsStream("hf-reference-cases.json")) {
            cases = new ObjectMapper().readTree(in).get("cases");
        }
        assertEquals(52, cases.size());
    }

    @Test
    void qwenTokenizerJson() {
        assertCases(TokenizerFixtures::qwenJson, "qwen");
    }

    @Test
    void qwenGGUF() {
        assertCases(TokenizerFixtures::qwenGGUF, "qwen");
    }

    @Test
    void llama3TokenizerJson() {
        assertCases(TokenizerFixtures::llama3Json, "llama3");
    }

    @Test
    void llama3GGUF() {
        assertCases(TokenizerFixtures::llama3GGUF, "llama3");
    }

    /** {@code field} = parseSpecial ids (HF matches added tokens), {@code field_plain} = nothing recognised. */
    private static void assertCases(Supplier<Tokenizer> tokenizer, String field) {
        Tokenizer tok = tokenizer.get();
        List<String> failures = new ArrayList<>();
        for (JsonNode c : cases) {
            String text = c.get("text").asText();
            compare(failures, "parseSpecial " + TokenizerVectorsTest.escape(text), ids(c.get(field)),
                    tok.encode(text, true));
            int[] plain = tok.encode(text);
            compare(failures, "plain " + TokenizerVectorsTest.escape(text), ids(c.get(field + "_plain")), plain);
            String expectedText = field.equals("qwen") ? Normalizer.normalize(text, Normalizer.Form.NFC) : text;
            assertEquals(expectedText, tok.decode(plain), "round trip " + TokenizerVectorsTest.escape(text));
        }
        assertTrue(failures.isEmpty(), (2 * cases.size() - failures.size()) + "/" + 2 * cases.size()
                + " encodings equal\n" + String.join("\n", failures));
    }

    private static void compare(List<String> failures, String what, int[] expected, int[] actual) {
        if (!Arrays.equals(expected, actual)) {
            failures.add(what + ": expected " + Arrays.toString(expected) + " got " + Arrays.toString(actual));
        }
    }

    @Test
    void decodeSkippingSpecialTokensMatchesHuggingFace() {
        Tokenizer qwen = TokenizerFixtures.qwenJson();
        for (JsonNode c : cases) {
            int[] ids = ids(c.get("qwen"));
            assertEquals(c.get("qwen_decode_skip").asText(), qwen.decode(ids, true),
                    TokenizerVectorsTest.escape(c.get("text").asText()));
        }
    }

    private static int[] ids(JsonNode array) {
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = array.get(i).asInt();
        }
        return ids;
    }
}
