package org.aloe4j.tokenizer;

import java.text.Normalizer;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte-level BPE (GPT-2 family: Qwen2/2.5, Llama 3/3.1): optional NFC, a regex cuts the text into words, each
 * word's UTF-8 bytes are written in the {@link ByteLevel} alphabet and merged by rank.
 */
final class ByteLevelBpeTokenizer extends AbstractTokenizer {
    /** Words whose ids are remembered; most text reuses a small set of words. Cleared when full. */
    private static final int CACHE_LIMIT = 1 << 16;
    /** Longer words (base64, long digit or symbol runs) are not cached: rare, and they would pin memory. */
    private static final int CACHED_WORD_MAX_LENGTH = 64;

    private final Pattern split;
    private final boolean nfc;
    private final boolean ignoreMerges;
    private final MergeTable merges;
    private final int[] byteTokenIds = new int[256];
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * @param ignoreMerges a word that is itself in the vocabulary becomes that token without merging (Llama 3);
     *                     this can differ from the merge result, and the model was trained with it
     */
    ByteLevelBpeTokenizer(Vocabulary vocab, MergeTable merges, Pattern split, boolean nfc, boolean ignoreMerges) {
        super(vocab, ByteLevelBpeTokenizer::pieceOf);
        this.merges = merges;
        this.split = split;
        this.nfc = nfc;
        this.ignoreMerges = ignoreMerges;
        for (int b = 0; b < 256; b++) {
            Integer id = vocab.ids().get(String.valueOf(ByteLevel.charOf(b)));
            byteTokenIds[b] = id == null ? -1 : id;
        }
    }

    private static byte[] pieceOf(String text, TokenType type) {
        return switch (type) {
            case NORMAL, BYTE, UNDEFINED -> ByteLevel.decode(text);
            case UNUSED -> new byte[0]; // llama.cpp prints nothing for padding entries such as [PAD151665]
            default -> Utf8.encode(text); // added tokens are stored as their literal text
        };
    }

    @Override
    void encodeText(String text, IntList out) {
        if (nfc && !Normalizer.isNormalized(text, Normalizer.Form.NFC)) {
            text = Normalizer.normalize(text, Normalizer.Form.NFC);
        }
        Matcher m = split.matcher(text);
        int last = 0;
        while (m.find()) {
            if (m.start() > last) {
                encodeWord(text.substring(last, m.start()), out); // "Isolated" split: gaps are words too
            }
            encodeWord(m.group(), out);
            last = m.end();
        }
        if (last < text.length()) {
            encodeWord(text.substring(last), out);
        }
    }

    private void encodeWord(String word, IntList out) {
        if (word.length() > CACHED_WORD_MAX_LENGTH) {
            out.addAll(bpe(word));
            return;
        }
        int[] ids = cache.get(word);
        if (ids == null) {
            ids = bpe(word);
            if (cache.size() >= CACHE_LIMIT) {
                cache.clear();
            }
            cache.put(word, ids);
        }
        out.addAll(ids);
    }

    private int[] bpe(String word) {
        byte[] bytes = Utf8.encode(word);
        if (ignoreMerges) {
            Integer whole = vocab.ids().get(ByteLevel.encode(bytes));
            if (whole != null) {
                return new int[] {whole};
            }
        }
        int[] ids = new int[bytes.length];
        int n = 0;
        for (byte b : bytes) {
            int id = byteTokenIds[b & 0xFF];
            if (id >= 0) {
                ids[n++] = id; // a byte missing from the vocabulary is dropped, as HF does without an unk token
            }
        }
        return BytePairMerger.merge(n == ids.length ? ids : Arrays.copyOf(ids, n), merges);
    }
}
