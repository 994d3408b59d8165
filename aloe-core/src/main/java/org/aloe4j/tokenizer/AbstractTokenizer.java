package org.aloe4j.tokenizer;

import java.util.Arrays;
import java.util.function.BiFunction;

/**
 * What the tokenizer models share: splitting out added tokens, the id checks, and decoding, which works on the
 * bytes each token stands for (its "piece") so that whole and streamed decoding give the same text.
 */
abstract class AbstractTokenizer implements Tokenizer {
    final Vocabulary vocab;
    private final BiFunction<String, TokenType, byte[]> pieceOf;

    /**
     * @param pieceOf the bytes a token stands for when decoded, from its text and kind; computed per decoded token
     *                (cheap) rather than for the whole vocabulary at load time
     */
    AbstractTokenizer(Vocabulary vocab, BiFunction<String, TokenType, byte[]> pieceOf) {
        this.vocab = vocab;
        this.pieceOf = pieceOf;
    }

    /** Encodes a stretch of plain text (no added tokens in it) and appends the ids. */
    abstract void encodeText(String text, IntList out);

    /**
     * Whether a leading space is dropped from the first piece of text (at the start of the ids or right after
     * BOS). SentencePiece vocabularies need it because encoding adds that space; byte-level BPE does not.
     */
    boolean dropsLeadingSpaceOfText() {
        return false;
    }

    @Override
    public int[] encode(String text) {
        IntList out = new IntList();
        if (!text.isEmpty()) {
            encodeText(text, out);
        }
        return out.toArray();
    }

    @Override
    public int[] encode(String text, boolean parseSpecial) {
        if (!parseSpecial || vocab.addedTokens().isEmpty()) {
            return encode(text);
        }
        IntList out = new IntList();
        vocab.addedTokens().split(text, segment -> encodeText(segment, out), out::add);
        return out.toArray();
    }

    @Override
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    @Override
    public String decode(int[] ids, boolean skipSpecial) {
        PieceDecoder decoder = new PieceDecoder();
        StringBuilder out = new StringBuilder(ids.length * 4);
        for (int id : ids) {
            decoder.append(id, skipSpecial, out);
        }
        decoder.utf8.finish(out);
        return out.toString();
    }

    @Override
    public StreamingDecoder streamingDecoder() {
        PieceDecoder decoder = new PieceDecoder();
        return new StreamingDecoder() {
            private final StringBuilder out = new StringBuilder();

            @Override
            public String push(int id) {
                out.setLength(0);
                decoder.append(id, false, out);
                return out.toString();
            }

            @Override
            public String flush() {
                out.setLength(0);
                decoder.utf8.finish(out);
                return out.toString();
            }
        };
    }

    /** Decoding state: pending UTF-8 bytes, and whether the next piece starts the text. */
    private final class PieceDecoder {
        final Utf8.LossyDecoder utf8 = new Utf8.LossyDecoder();
        private boolean atTextStart = true;

        void append(int id, boolean skipSpecial, StringBuilder out) {
            checkId(id);
            TokenType type = vocab.types()[id];
            boolean startsText = atTextStart;
            atTextStart = id == vocab.bosId();
            if (skipSpecial && type.isSpecial()) {
                return;
            }
            byte[] piece = pieceOf.apply(vocab.texts()[id], type);
            if (startsText && type == TokenType.NORMAL && dropsLeadingSpaceOfText() && piece.length > 0
                    && piece[0] == ' ') {
                piece = Arrays.copyOfRange(piece, 1, piece.length);
            }
            utf8.feed(piece, out);
        }
    }

    final void checkId(int id) {
        if (!vocab.contains(id)) {
            throw new IllegalArgumentException("token id " + id + " is not in the vocabulary of " + vocab.source()
                    + " (" + vocab.size() + " ids)");
        }
    }

    @Override
    public int vocabSize() {
        return vocab.size();
    }

    @Override
    public String tokenText(int id) {
        checkId(id);
        return vocab.texts()[id];
    }

    @Override
    public int tokenId(String text) {
        Integer id = vocab.ids().get(text);
        return id == null ? -1 : id;
    }

    @Override
    public boolean isSpecial(int id) {
        return vocab.contains(id) && vocab.types()[id].isSpecial();
    }

    @Override
    public int bosId() {
        return vocab.bosId();
    }

    @Override
    public int eosId() {
        return vocab.eosId();
    }

    @Override
    public boolean addBos() {
        return vocab.addBos();
    }
}
