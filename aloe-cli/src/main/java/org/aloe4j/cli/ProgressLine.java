package org.aloe4j.cli;

import java.io.PrintWriter;

/**
 * A progress report on the error stream: rewritten in place on a terminal, else one line at most every 5 seconds
 * (so that logs stay readable).
 */
final class ProgressLine {

    private final PrintWriter err;
    private final boolean terminal = System.console() != null;
    private final long start = System.nanoTime();
    private long lastPrint;
    private boolean open;

    ProgressLine(PrintWriter err) {
        this.err = err;
    }

    double seconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    void update(String text) {
        long now = System.nanoTime();
        long interval = terminal ? 200_000_000L : 5_000_000_000L;
        if (now - lastPrint < interval) {
            return;
        }
        lastPrint = now;
        if (terminal) {
            err.print("\r" + text + "\u001b[K");
            open = true;
        } else {
            err.println(text);
        }
        err.flush();
    }

    /** Prints a message on its own line (ending an in-place progress line first). */
    void message(String text) {
        if (open) {
            err.println();
            open = false;
        }
        err.println(text);
        err.flush();
    }

    void finish() {
        if (open) {
            err.println();
            open = false;
        }
        err.flush();
    }
}
