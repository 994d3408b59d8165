package org.aloe4j.tokenizer;

/**
 * Text to token ids and back, with the semantics of Hugging Face {@code tokenizers} (and llama.cpp, where the two
 * agree) for the vocabularies Aloe uses. Instances are immutable and safe to share between threads.
 *
 * <p>Make one with {@link Tokenizers}.
 */
public interface Tokenizer {

    /**
     * Encodes plain text. Text that looks like an added or special token (for example {@code <|im_start|>}) is
     * tokenized as ordinary characters, so user input can never smuggle control tokens into a prompt. No BOS or EOS
     * is added: see {@link #addBos()}.
     */
    int[] encode(String text);

    /**
     * Encodes text; with {@code parseSpecial} every added token's text found in {@code text} becomes that token's id
     * (Hugging Face semantics: scanning left to right, the longest added token starting at the earliest position
     * wins). Use this for prompts rendered by a chat template. No BOS or EOS is added.
     */
    int[] encode(String text, boolean parseSpecial);

    /** Decodes ids to text; special tokens are rendered as their text. Invalid UTF-8 becomes U+FFFD. */
    String decode(int[] ids);

    /** Decodes ids to text, leaving out special (control) tokens when {@code skipSpecial} is true. */
    String decode(int[] ids, boolean skipSpecial);

    /**
     * A decoder for a stream of generated ids that never returns half a character. Its pieces, concatenated with
     * {@link StreamingDecoder#flush()}, equal {@link #decode(int[])} of the same ids.
     */
    StreamingDecoder streamingDecoder();

    /** Number of token ids: the largest id plus one. */
    int vocabSize();

    /**
     * The token's text as the vocabulary stores it (byte-level form such as {@code "Ġthe"} for byte-level BPE,
     * {@code "▁the"} for SentencePiece, the literal text for added tokens).
     *
     * @throws IllegalArgumentException if the id is not a token of this vocabulary
     */
    String tokenText(int id);

    /** The id of the token whose vocabulary text is exactly {@code text} (see {@link #tokenText}), or -1. */
    int tokenId(String text);

    /** Whether the id is a special (control) token such as {@code <|im_end|>} or {@code <s>}. */
    boolean isSpecial(int id);

    /** The beginning-of-sequence token id, or -1 when the vocabulary has none. */
    int bosId();

    /** The end-of-sequence token id, or -1 when none is known. */
    int eosId();

    /** Whether the model expects {@link #bosId()} in front of every prompt (the caller adds it). */
    boolean addBos();
}
