package org.aloe4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * llama.cpp's tokenizer test vectors (ids made by Hugging Face; no BOS, special text not parsed), through every
 * way of loading Qwen2.5 and Llama 3, plus decoding, round trips and streaming over the same inputs.
 */
class TokenizerVectorsTest {
    private static final String QWEN2 = "ggml-vocab-qwen2.gguf";
    private static final String LLAMA3 = "ggml-vocab-llama-bpe.gguf";

    @Test
    void qwenTokenizerJsonMatchesAllVectors() {
        assertAllVectorsMatch(QWEN2, TokenizerFixtures::qwenJson);
    }

    @Test
    void qwenGGUFMetadataMatchesAllVectors() {
        assertAllVectorsMatch(QWEN2, TokenizerFixtures::qwenGGUF);
    }

    @Test
    void llama3TokenizerJsonMatchesAllVectors() {
        assertAllVectorsMatch(LLAMA3, TokenizerFixtures::llama3Json);
    }

    @Test
    void llama3GGUFMetadataMatchesAllVectors() {
        assertAllVectorsMatch(LLAMA3, TokenizerFixtures::llama3GGUF);
    }

    private static void assertAllVectorsMatch(String name, Supplier<Tokenizer> tokenizer) {
        List<TokenizerFixtures.Vector> vectors = TokenizerFixtures.vectors(name);
        assertEquals(46, vectors.size(), "test inputs in " + name);
        Tokenizer tok = tokenizer.get();
        List<String> failures = new ArrayList<>();
        for (TokenizerFixtures.Vector v : vectors) {
            int[] actual = tok.encode(v.text());
            if (!Arrays.equals(v.ids(), actual)) {
                failures.add("#" + v.index() + " " + escape(v.text()) + ": expected " + Arrays.toString(v.ids())
                        + " got " + Arrays.toString(actual));
            }
            // with parseSpecial the result is the same: none of these inputs contains an added token
            assertEquals(Arrays.toString(actual), Arrays.toString(tok.encode(v.text(), true)), "#" + v.index());
        }
        assertTrue(failures.isEmpty(), (vectors.size() - failures.size()) + "/" + vectors.size() + " passed for "
                + name + "\n" + String.join("\n", failures));
    }

    @Test
    void decodeInvertsEncodeOnAllVectors() {
        // Qwen normalizes to NFC first, so its round trip gives NFC(s); Llama 3 has no normalizer.
        for (TokenizerFixtures.Vector v : TokenizerFixtures.vectors(QWEN2)) {
            String expected = Normalizer.normalize(v.text(), Normalizer.Form.NFC);
            assertEquals(expected, TokenizerFixtures.qwenJson().decode(v.ids()), "qwen decode #" + v.index());
            assertEquals(expected, TokenizerFixtures.qwenGGUF().decode(v.ids()), "qwen gguf decode #" + v.index());
        }
        for (TokenizerFixtures.Vector v : TokenizerFixtures.vectors(LLAMA3)) {
            assertEquals(v.text(), TokenizerFixtures.llama3Json().decode(v.ids()), "llama3 decode #" + v.index());
            assertEquals(v.text(), TokenizerFixtures.llama3GGUF().decode(v.ids()), "llama3 gguf decode #" + v.index());
        }
    }

    @Test
    void roundTripOfNonNfcTextGivesNfc() {
        String decomposed = "Cafe\u0301 Vie\u0323\u0302t"; // e + combining acute, e + dot below + circumflex
        Tokenizer qwen = TokenizerFixtures.qwenJson();
        assertEquals(Normalizer.normalize(decomposed, Normalizer.Form.NFC), qwen.decode(qwen.encode(decomposed)));
        Tokenizer llama = TokenizerFixtures.llama3Json();
        assertEquals(decomposed, llama.decode(llama.encode(decomposed)), "Llama 3 keeps the text as it is");
    }

    @Test
    void streamingDecodeEqualsDecodeAndNeverSplitsACharacter() {
        int multiTokenCharacters = 0;
        for (var entry : List.of(
                new Object[] {QWEN2, (Supplier<Tokenizer>) TokenizerFixtures::qwenJson},
                new Object[] {LLAMA3, (Supplier<Tokenizer>) TokenizerFixtures::llama3Json})) {
            @SuppressWarnings("unchecked")
            Tokenizer tok = ((Supplier<Tokenizer>) entry[1]).get();
            for (TokenizerFixtures.Vector v : TokenizerFixtures.vectors((String) entry[0])) {
                StreamingDecoder stream = tok.streamingDecoder();
                StringBuilder all = new StringBuilder();
                for (int id : v.ids()) {
                    String piece = stream.push(id);
                    assertWholeCharacters(piece, v);
                    if (piece.isEmpty()) {
                        multiTokenCharacters++; // bytes held back: a character continues in the next token
                    }
                    all.append(piece);
                }
                all.append(stream.flush());
                assertEquals(tok.decode(v.ids()), all.toString(), entry[0] + " streaming #" + v.index());
            }
        }
        // the CJK, Khmer and emoji inputs do split characters over tokens, so holding back was exercised
        assertTrue(multiTokenCharacters > 10, "pushes that held bytes back: " + multiTokenCharacters);
    }

    private static void assertWholeCharacters(String piece, TokenizerFixtures.Vector v) {
        assertTrue(!piece.contains("\uFFFD"), "no replacement characters for valid text, #" + v.index());
        if (!piece.isEmpty()) {
            assertTrue(!Character.isHighSurrogate(piece.charAt(piece.length() - 1)), "ends inside a surrogate pair");
        }
    }

    static String escape(String s) {
        StringBuilder b = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            if (cp == '\n') {
                b.append("\\n");
            } else if (cp == '\t') {
                b.append("\\t");
            } else if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || Character.getType(cp) == Character.FORMAT
                    || (Character.isSpaceChar(cp) && cp != ' ')) {
                b.append(String.format("\\u%04X", cp));
            } else {
                b.appendCodePoint(cp);
            }
        });
        return b.append('"').toString();
    }
}
