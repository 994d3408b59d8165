package org.aloe4j.server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.aloe4j.generation.FinishReason;
import org.aloe4j.generation.Usage;

/** A listener that keeps every event of a job, per choice, and lets a test wait for the end. */
final class Recorder implements GenerationListener {
    final StringBuilder[] text;
    final List<List<Integer>> ids = new ArrayList<>();
    final FinishReason[] reasons;
    final Usage[] usages;
    final List<RuntimeException> errors = new ArrayList<>();
    private final CountDownLatch done;
    volatile int events;

    Recorder(int choices) {
        text = new StringBuilder[choices];
        reasons = new FinishReason[choices];
        usages = new Usage[choices];
        for (int i = 0; i < choices; i++) {
            text[i] = new StringBuilder();
            ids.add(new ArrayList<>());
        }
        done = new CountDownLatch(choices);
    }

    @Override
    public synchronized void onToken(int choice, String piece, TokenLogprob logprob) {
        events++;
        text[choice].append(piece);
        if (logprob != null) {
            ids.get(choice).add(logprob.id());
        }
    }

    @Override
    public synchronized void onFinish(int choice, FinishReason reason, Usage usage) {
        events++;
        reasons[choice] = reason;
        usages[choice] = usage;
        done.countDown();
    }

    @Override
    public synchronized void onError(int choice, RuntimeException error) {
        events++;
        errors.add(error);
        done.countDown();
    }

    void await() throws InterruptedException {
        if (!done.await(60, TimeUnit.SECONDS)) {
            throw new AssertionError("generation did not finish in 60 s");
        }
        if (!errors.isEmpty()) {
            throw new AssertionError("generation failed", errors.getFirst());
        }
    }

    int[] ids(int choice) {
        return ids.get(choice).stream().mapToInt(Integer::intValue).toArray();
    }
}
