package org.aloe4j.rag;

/**
 * A retrieval operation that cannot go on: an index that does not match its embedder, an unreadable document, an
 * embedding server that refused a request. The message is one line that names the item and the problem, fit to be
 * shown to a user as it is.
 */
public class RagException extends RuntimeException {

    public RagException(String message) {
        super(message);
    }

    public RagException(String message, Throwable cause) {
        super(message, cause);
    }
}
