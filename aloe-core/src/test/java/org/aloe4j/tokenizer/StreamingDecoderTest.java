package org.aloe4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Byte-level decoding with arbitrary byte sequences, built from Qwen's 256 single-byte tokens: lossy UTF-8 as
 * Rust's {@code from_utf8_lossy} (Hugging Face) does it, and streaming that never returns part of a character.
 */
class StreamingDecoderTest {

    private static int[] byteTokens(Tokenizer tok, int... bytes) {
        int[] ids = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            ids[i] = tok.tokenId(String.valueOf(ByteLevel.charOf(bytes[i])));
        }
        return ids;
    }

    @Test
    void emojiSplitOverFourTokensComesOutWhole() {
        Tokenizer tok = TokenizerFixtures.qwenJson();
        int[] ids = byteTokens(tok, 0xF0, 0x9F, 0xA6, 0x99, 'x'); // 🦙 x
        StreamingDecoder stream = tok.streamingDecoder();
        assertEquals("", stream.push(ids[0]));
        assertEquals("", stream.push(ids[1]));
        assertEquals("", stream.push(ids[2]));
        assertEquals("🦙", stream.push(ids[3]));
        assertEquals("x", stream.push(ids[4]));
        assertEquals("", stream.flush());
    }

    @Test
    void bytesThatCannotCompleteACharacterBecomeReplacementCharacters() {
        Tokenizer tok = TokenizerFixtures.qwenJson();
        StreamingDecoder stream = tok.streamingDecoder();
        int[] ids = byteTokens(tok, 0xE4, 0xB8, 'a', 0xE4);
        assertEquals("", stream.push(ids[0]));
        assertEquals("", stream.push(ids[1]));
        assertEquals("\uFFFDa", stream.push(ids[2]), "E4 B8 can no longer complete");
        assertEquals("", stream.push(ids[3]));
        assertEquals("\uFFFD", stream.flush(), "an unfinished character at the end");
        assertEquals("\uFFFDa\uFFFD", tok.decode(ids));
    }

    /** Known answers: the Unicode standard's example (chapter 3, Table 3-8) and a surrogate encoding. */
    @Test
    void replacementFollowsMaximalSubparts() {
        Tokenizer tok = TokenizerFixtures.qwenJson();
        int[] table38 = byteTokens(tok, 0x61, 0xF1, 0x80, 0x80, 0xE1, 0x80, 0xC2, 0x62, 0x80, 0x63, 0x80, 0xBF, 0x64);
        assertEquals("a\uFFFD\uFFFD\uFFFDb\uFFFDc\uFFFD\uFFFDd", tok.decode(table38));
        // ED A0..BF would encode a surrogate: three replacements, as HF tokenizers 0.23.2 decodes these very ids;
        // Java's own UTF-8 decoder gives one here, which is why decoding does not use new String(bytes, UTF_8)
        assertEquals("\uFFFD\uFFFD\uFFFD\u000E\uFFFD'", tok.decode(byteTokens(tok, 0xED, 0xAE, 0xA9, 0x0E, 0xB2, 0x27)));
    }

    @Test
    void randomBytesStreamLikeTheyDecode() {
        Tokenizer tok = TokenizerFixtures.qwenJson();
        Random random = new Random(42);
        for (int round = 0; round < 20_000; round++) {
            int[] bytes = new int[random.nextInt(16)];
            boolean hasED = false;
            for (int i = 0; i < bytes.length; i++) {
                int kind = random.nextInt(4); // ASCII, continuation bytes and lead bytes in equal measure
                bytes[i] = kind == 0 ? random.nextInt(128) : kind == 1 ? 0x80 + random.nextInt(64)
                        : 0xC0 + random.nextInt(64);
                hasED |= bytes[i] == 0xED;
            }
            int[] ids = byteTokens(tok, bytes);
            String whole = tok.decode(ids);
            if (!hasED) { // Java's decoder agrees with maximal-subpart replacement except after ED (see above)
                byte[] raw = new byte[bytes.length];
                for (int i = 0; i < raw.length; i++) {
                    raw[i] = (byte) bytes[i];
                }
                assertEquals(new String(raw, StandardCharsets.UTF_8), whole);
            }
            StreamingDecoder stream = tok.streamingDecoder();
            StringBuilder streamed = new StringBuilder();
            for (int id : ids) {
                String piece = stream.push(id);
                assertFalse(!piece.isEmpty() && Character.isHighSurrogate(piece.charAt(piece.length() - 1)));
                streamed.append(piece);
            }
            assertEquals(whole, streamed.append(stream.flush()).toString());
        }
    }
}
