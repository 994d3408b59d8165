package org.aloe4j.server;

import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.aloe4j.generation.FinishReason;
import org.aloe4j.generation.Usage;

/**
 * Hands a backend's events to the request's own thread: the backend (the scheduler thread) only enqueues and never
 * waits for a slow client; the request thread writes them out.
 */
final class EventQueue implements GenerationListener {

    sealed interface Event {
        int choice();
    }

    record Token(int choice, String text, TokenLogprob logprob) implements Event {}

    record Finish(int choice, FinishReason reason, Usage usage) implements Event {}

    record Failure(int choice, RuntimeException error) implements Event {}

    private final LinkedBlockingQueue<Event> queue = new LinkedBlockingQueue<>();

    @Override
    public void onToken(int choice, String text, TokenLogprob logprob) {
        if (!text.isEmpty() || logprob != null) {
            queue.add(new Token(choice, text, logprob));
        }
    }

    @Override
    public void onFinish(int choice, FinishReason reason, Usage usage) {
        queue.add(new Finish(choice, reason, usage));
    }

    @Override
    public void onError(int choice, RuntimeException error) {
        queue.add(new Failure(choice, error));
    }

    /** The next event, or null after {@code millis} without one. */
    Event poll(long millis) throws InterruptedException {
        return queue.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** Moves the events already waiting into {@code out} (so a burst is written with one flush). */
    void drainTo(List<Event> out) {
        queue.drainTo(out);
    }
}
