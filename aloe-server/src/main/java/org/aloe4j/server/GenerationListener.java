package org.aloe4j.server;

import org.aloe4j.generation.FinishReason;
import org.aloe4j.generation.Usage;

/**
 * Receives what a backend generates for one job. Called from the backend's threads (the scheduler thread for the
 * local engine): implementations must return quickly and never block (the server queues the events for the request's
 * own thread, which writes them to the client).
 */
public interface GenerationListener {

    /**
     * New text for a choice; {@code text} may be empty (a character still incomplete, or text held back while it
     * could be the start of a stop string). {@code logprob} is null unless the job asked for log-probabilities.
     */
    void onToken(int choice, String text, TokenLogprob logprob);

    /** The choice has ended; {@code usage} counts its prompt and generated tokens. */
    void onFinish(int choice, FinishReason reason, Usage usage);

    /** The choice failed; no more events come for it. */
    void onError(int choice, RuntimeException error);
}
