package org.aloe4j.generation;

/**
 * Receives a reply as it is generated. Text pieces are whole UTF-8 characters; concatenated they give the reply.
 * Returning false cancels the generation at once (the result then ends with {@link FinishReason#CANCELLED}).
 */
@FunctionalInterface
public interface TokenSink {

    /**
     * @param text    the new text (may be empty while a multi-byte character is incomplete)
     * @param tokenId the token id, or -1 when the backend does not expose ids
     * @return true to go on, false to cancel
     */
    boolean onToken(String text, int tokenId);

    TokenSink NONE = (text, id) -> true;
}
