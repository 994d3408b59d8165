package org.aloe4j.tokenizer;

import java.util.PriorityQueue;

/**
 * SentencePiece-style BPE as llama.cpp runs GGUF vocabularies with {@code tokenizer.ggml.model = "llama"}: spaces
 * become U+2581 ({@code ▁}), a {@code ▁} is put in front of each stretch of text, adjacent pieces are merged
 * highest score first (leftmost on ties) as long as the merged text is a token, and characters that are not
 * tokens fall back to their UTF-8 bytes as {@code <0xXX>} tokens. With parseSpecial, every stretch of text between
 * added tokens gets its own {@code ▁} prefix, as in llama.cpp.
 *
 * <p>Decoding turns {@code ▁} back into spaces and drops the leading space of the first piece of text, where it
 * starts the ids or directly follows BOS (llama2.c's rule; Hugging Face's Metaspace decoder and SentencePiece drop
 * it at the start of the ids). llama.cpp differs: {@code token_to_piece} (its streaming and llama-simple) keeps
 * the space, and {@code llama_detokenize} drops it only when the ids do not start with BOS. To decode a
 * continuation of text, push the context's ids into the {@link StreamingDecoder} first.
 */
final class SentencePieceTokenizer extends AbstractTokenizer {
    private static final char SPACE_MARK = '\u2581';

    private final float[] scores;
    private final boolean addSpacePrefix;
    private final int[] byteTokenIds = new int[256];

    SentencePieceTokenizer(Vocabulary vocab, float[] scores, boolean addSpacePrefix, int unknownId) {
        super(vocab, SentencePieceTokenizer::pieceOf);
        this.scores = scores;
        this.addSpacePrefix = addSpacePrefix;
        for (int b = 0; b < 256; b++) {
            Integer id = vocab.ids().get(String.format("<0x%02X>", b));
            if (id == null) {
                id = vocab.ids().get(String.valueOf((char) b)); // llama.cpp's second choice: the byte as text
            }
            byteTokenIds[b] = id != null ? id : unknownId;
        }
    }

    private static byte[] pieceOf(String text, TokenType type) {
        return switch (type) {
            case NORMAL, UNDEFINED -> Utf8.encode(text.replace(SPACE_MARK, ' '));
            case BYTE -> parseByteToken(text);
            case UNUSED -> new byte[0];
            default -> Utf8.encode(text);
        };
    }

    private static byte[] parseByteToken(String text) {
        if (text.length() == 6 && text.startsWith("<0x") && text.endsWith(">")) {
            try {
                return new byte[] {(byte) Integer.parseInt(text.substring(3, 5), 16)};
            } catch (NumberFormatException e) {
                // fall through: not a byte token after all
            }
        }
        return Utf8.encode(text);
    }

    @Override
    boolean dropsLeadingSpaceOfText() {
        return true;
    }

    private record Bigram(int left, int right, float score, int size) {}

    @Override
    void encodeText(String segment, IntList out) {
        String text = ((addSpacePrefix ? " " : "") + segment).replace(' ', SPACE_MARK);
        // one symbol per code point, linked so merged symbols can be skipped
        int n = text.codePointCount(0, text.length());
        int[] start = new int[n];
        int[] length = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0, offset = 0; i < n; i++) {
            start[i] = offset;
            length[i] = Character.charCount(text.codePointAt(offset));
            offset += length[i];
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) -> a.score != b.score
                ? Float.compare(b.score, a.score) : Integer.compare(a.left, b.left));
        for (int i = 1; i < n; i++) {
            offerBigram(text, start, length, i - 1, i, queue);
        }
        while (!queue.isEmpty()) {
            Bigram bigram = queue.poll();
            int l = bigram.left;
            int r = bigram.right;
            if (length[l] == 0 || length[r] == 0 || length[l] + length[r] != bigram.size) {
                continue; // one side was merged into something else since this pair was queued
            }
            length[l] += length[r];
            length[r] = 0;
            next[l] = next[r];
            if (next[r] >= 0) {
                prev[next[r]] = l;
            }
            if (prev[l] >= 0) {
                offerBigram(text, start, length, prev[l], l, queue);
            }
            if (next[l] >= 0) {
                offerBigram(text, start, length, l, next[l], queue);
            }
        }
        for (int i = 0; i >= 0; i = next[i]) {
            String piece = text.substring(start[i], start[i] + length[i]);
            Integer id = vocab.ids().get(piece);
            if (id != null) {
                out.add(id);
            } else {
                for (byte b : Utf8.encode(piece)) {
                    out.add(byteTokenIds[b & 0xFF]);
                }
            }
        }
    }

    private void offerBigram(String text, int[] start, int[] length, int left, int right,
                             PriorityQueue<Bigram> queue) {
        int size = length[left] + length[right];
        Integer id = vocab.ids().get(text.substring(start[left], start[left] + size));
        if (id != null) {
            queue.add(new Bigram(left, right, scores[id], size));
        }
    }
}
