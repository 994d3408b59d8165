package org.aloe4j.eval.data;

import java.nio.file.Path;

/** A rejected row: the file, its 1-based line number (0 when the problem is the whole file) and why. */
public record RowError(Path file, long line, String message) {

    @Override
    public String toString() {
        return file + (line > 0 ? ":" + line : "") + ": " + message;
    }
}
