package org.aloe4j.formats;

import java.nio.file.Path;

/**
 * A model, tokenizer or weights file that cannot be read. The message is one line that names the file and the
 * problem, fit to be shown to a user as it is (no stack trace needed).
 */
public class ModelFormatException extends RuntimeException {

    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }

    public ModelFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public ModelFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
