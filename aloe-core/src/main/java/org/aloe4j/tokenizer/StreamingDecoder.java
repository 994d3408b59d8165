package org.aloe4j.tokenizer;

/**
 * Turns generated token ids into text as they arrive. Not thread-safe: one per generated sequence.
 *
 * <p>To continue existing text (for instance after a prompt), push the prompt's ids first and ignore what those
 * pushes return: the decoder then knows the context (pending UTF-8 bytes, and for SentencePiece vocabularies
 * whether a piece starts the text and loses its leading space).
 */
public interface StreamingDecoder {

    /**
     * Adds one token and returns the text that is now complete: never part of a character. The bytes of a
     * multi-byte UTF-8 character split over several tokens are held back until the character is complete; bytes
     * that can no longer form a valid character are returned as U+FFFD.
     */
    String push(int id);

    /** Returns what is still held back (an incomplete character becomes U+FFFD) and resets the byte state. */
    String flush();
}
