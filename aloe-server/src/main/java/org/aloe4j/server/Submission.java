package org.aloe4j.server;

/** A job accepted by a backend: its prompt size and a way to stop it. */
public interface Submission {

    /** Prompt tokens of the job (-1 when the backend learns it only from the finished reply). */
    int promptTokens();

    /**
     * Stops every choice of the job as soon as possible (a waiting job leaves the queue at once, a running one is
     * dropped before the next forward pass) and frees its slots. No more events follow, except possibly ones already
     * under way. Idempotent.
     */
    void cancel();
}
