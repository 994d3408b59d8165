package org.aloe4j.eval.data;

/** A benchmark file or folder that cannot be used at all (missing, unreadable, ambiguous). One line, for users. */
public class DatasetException extends RuntimeException {
    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
