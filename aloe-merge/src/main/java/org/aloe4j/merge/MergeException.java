package org.aloe4j.merge;

/**
 * A merge that cannot be done: a bad configuration, an input model that does not fit the others (a missing tensor,
 * a shape or dtype mismatch), or a failure while writing. The message is one line naming the item and the problem.
 */
public class MergeException extends RuntimeException {

    public MergeException(String message) {
        super(message);
    }

    public MergeException(String message, Throwable cause) {
        super(message, cause);
    }
}
