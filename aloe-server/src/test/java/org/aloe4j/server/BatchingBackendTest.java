package org.aloe4j.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.aloe4j.Fixtures;
import org.aloe4j.generation.FinishReason;
import org.aloe4j.generation.GenerationResult;
import org.aloe4j.generation.LocalModel;
import org.aloe4j.generation.SamplingSettings;
import org.aloe4j.generation.Usage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The scheduler on the synthetic tiny-qwen2 (vocabulary 1000, context 256, greedy tokens that vary): batched
 * sequences share forward passes, and give exactly what the engine's own single-stream loop
 * ({@link LocalModel#generate}) gives for the same prompt and settings.
 */
class BatchingBackendTest {
    private static LocalModel reference;

    @BeforeAll
    static void openReference() {
        reference = LocalModel.open(Fixtures.file("models/tiny-qwen2.F32.gguf"));
    }

    @AfterAll
    static void closeReference() {
        if (reference != null) {
            reference.close();
        }
    }

    private static BatchingBackend backend(int parallel, int queue) {
        return new BatchingBackend(LocalModel.open(Fixtures.file("models/tiny-qwen2.F32.gguf")), "tiny",
                new BatchingBackend.Options(parallel, queue, 64));
    }

    private static int[] prompt(int seed, int length) {
        int[] p = new int[length];
        for (int i = 0; i < length; i++) {
            p[i] = (seed * 131 + i * 37) % 1000;
        }
        return p;
    }

    private static GenerationJob job(int[] prompt, SamplingSettings s, List<String> stop) {
        return new GenerationJob(new Prompt.Tokens(prompt), s, true, stop, 1, 0, 0, 0, Map.of());
    }

    /** The engine's single-stream result: the token ids it streamed, and its text. */
    private static GenerationResult alone(int[] prompt, SamplingSettings s, List<String> stop, List<Integer> ids) {
        return reference.generate(prompt, s, stop, (text, id) -> {
            if (id >= 0) {
                ids.add(id);
            }
            return true;
        });
    }

    @Test
    void fourRequestsShareEachForwardPass() throws Exception {
        List<int[]> steps = new ArrayList<>();
        CountDownLatch submitted = new CountDownLatch(1);
        try (BatchingBackend b = backend(4, 8)) {
            b.stepObserver = (rows, decodeRows, sequences) -> {
                steps.add(new int[] {rows, decodeRows, sequences});
                try {
                    submitted.await(); // hold the scheduler after its first pass until all four have arrived
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            };
            List<Recorder> recorders = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                Recorder r = new Recorder(1);
                b.submit(job(prompt(i, 5 + i), SamplingSettings.greedy(24), List.of()), r);
                recorders.add(r);
            }
            submitted.countDown();
            for (Recorder r : recorders) {
                r.await();
                assertEquals(FinishReason.LENGTH, r.reasons[0]);
            }
            int promptRows = 5 + 6 + 7 + 8;
            int decodeRows = 4 * 23; // the last of 24 tokens is never fed back
            assertEquals(promptRows + decodeRows, steps.stream().mapToInt(s -> s[0]).sum());
            assertEquals(decodeRows, steps.stream().mapToInt(s -> s[1]).sum());
            long fullSteps = steps.stream().filter(s -> s[1] == 4).count();
            // alone, the four requests take 4 x 24 = 96 forward passes; batched, 24 or 25 (the first may run
            // before the others arrive), all but the first two decoding the four sequences at once
            assertTrue(steps.size() <= 25, "forward passes: " + steps.size());
            assertTrue(fullSteps >= 21, "passes with 4 decode rows: " + fullSteps);
            assertEquals(steps.size(), b.stats().steps());
            assertEquals(promptRows + decodeRows, b.stats().batchRows());
        }
    }

    @Test
    void concurrentRequestsGiveExactlyWhatEachGivesAlone() throws Exception {
        List<int[]> prompts = new ArrayList<>();
        List<SamplingSettings> settings = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            prompts.add(prompt(i + 10, 3 + 7 * i));
            settings.add(i % 3 == 0
                    ? new SamplingSettings(0.9, 20, 0.95, 0, 1.1, 1000L + i, 20 + i) // seeded sampling, penalty
                    : SamplingSettings.greedy(20 + i));
        }
        List<List<Integer>> expectedIds = new ArrayList<>();
        List<GenerationResult> expected = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            List<Integer> ids = new ArrayList<>();
            expected.add(alone(prompts.get(i), settings.get(i), List.of(), ids));
            expectedIds.add(ids);
        }
        // 10 requests over 3 slots: prompts and decodes of different sequences mix in the same passes, and
        // queued requests start as others finish
        AtomicInteger mixed = new AtomicInteger();
        try (BatchingBackend b = backend(3, 16)) {
            b.stepObserver = (rows, decodeRows, sequences) -> {
                if (decodeRows > 0 && rows > decodeRows) {
                    mixed.incrementAndGet();
                }
            };
            List<Recorder> recorders = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                Recorder r = new Recorder(1);
                b.submit(job(prompts.get(i), settings.get(i), List.of()), r);
                recorders.add(r);
            }
            for (int i = 0; i < prompts.size(); i++) {
                Recorder r = recorders.get(i);
                r.await();
                assertArrayEquals(expectedIds.get(i).stream().mapToInt(Integer::intValue).toArray(), r.ids(0),
                        "request " + i);
                assertEquals(expected.get(i).text(), r.text[0].toString(), "request " + i);
                assertEquals(expected.get(i).finishReason(), r.reasons[0]);
                assertEquals(expected.get(i).usage(), r.usages[0]);
            }
        }
        assertTrue(mixed.get() > 0, "some passes mixed prompt rows with decode rows");
    }

    @Test
    void stopStringsEndTheTextAsTheEngineDoes() throws Exception {
        int[] p = prompt(3, 9);
        List<Integer> ids = new ArrayList<>();
        GenerationResult full = alone(p, SamplingSettings.greedy(40), List.of(), ids);
        String text = full.text();
        assertTrue(text.length() > 12, text);
        String stop = text.substring(8, 11); // a stop string that occurs mid-reply
        GenerationResult cut = alone(p, SamplingSettings.greedy(40), List.of(stop), new ArrayList<>());
        try (BatchingBackend b = backend(2, 4)) {
            Recorder r = new Recorder(1);
            b.submit(job(p, SamplingSettings.greedy(40), List.of(stop)), r);
            r.await();
            assertEquals(cut.text(), r.text[0].toString());
            assertTrue(!r.text[0].toString().contains(stop));
            assertEquals(FinishReason.STOP, r.reasons[0]);
            assertEquals(cut.usage(), r.usages[0]);
        }
    }

    @Test
    void nChoicesWithOneSeedDiffer() throws Exception {
        try (BatchingBackend b = backend(4, 4)) {
            Recorder r = new Recorder(3);
            SamplingSettings s = new SamplingSettings(1.0, 0, 1.0, 0, 1.0, 7L, 16);
            b.submit(new GenerationJob(new Prompt.Tokens(prompt(1, 6)), s, true, List.of(), 3, 0, 0, 0, Map.of()), r);
            r.await();
            assertEquals(new Usage(6, 16), r.usages[0]);
            assertTrue(!r.ids.get(0).equals(r.ids.get(1)) || !r.ids.get(1).equals(r.ids.get(2)), "choices differ");
            // choice 0 is exactly the seeded request alone
            List<Integer> ids = new ArrayList<>();
            alone(prompt(1, 6), s, List.of(), ids);
            assertEquals(ids, r.ids.get(0));
        }
    }

    @Test
    void penaltiesAndBiasChangeTheChoice() throws Exception {
        try (BatchingBackend b = backend(2, 4)) {
            Recorder plain = new Recorder(1);
            b.submit(job(prompt(2, 6), SamplingSettings.greedy(12), List.of()), plain);
            plain.await();
            int first = plain.ids(0)[0];
            Recorder biased = new Recorder(1);
            b.submit(new GenerationJob(new Prompt.Tokens(prompt(2, 6)), SamplingSettings.greedy(12), true, List.of(),
                    1, 0, 0, 0, Map.of(first, -100f)), biased);
            biased.await();
            assertTrue(biased.ids(0)[0] != first, "logit_bias -100 bans the greedy token");
            Recorder penalised = new Recorder(1);
            b.submit(new GenerationJob(new Prompt.Tokens(prompt(2, 6)), SamplingSettings.greedy(12), true, List.of(),
                    1, 0, 0, 2.0, Map.of()), penalised);
            penalised.await();
            // presence penalty 2 on logits of rms ~0.4: no token repeats
            assertEquals(12, penalised.ids.get(0).stream().distinct().count(), penalised.ids.get(0).toString());
            assertTrue(plain.ids.get(0).stream().distinct().count() < 12, "greedy alone repeats: " + plain.ids.get(0));
        }
    }

    @Test
    void cancelStopsARunningSequenceAndFreesItsSlot() throws Exception {
        try (BatchingBackend b = backend(1, 4)) {
            Recorder r = new Recorder(1);
            Submission s = b.submit(job(prompt(4, 4), SamplingSettings.greedy(250), List.of()), r);
            Recorder queued = new Recorder(1);
            Submission q = b.submit(job(prompt(5, 4), SamplingSettings.greedy(250), List.of()), queued);
            while (r.events == 0) {
                Thread.sleep(1);
            }
            q.cancel(); // waiting: leaves the queue at once
            assertEquals(0, b.stats().queued());
            s.cancel();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (b.stats().running() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertEquals(0, b.stats().running());
            assertEquals(2, b.stats().cancelled());
            int events = r.events;
            Thread.sleep(50);
            assertEquals(events, r.events, "no event after cancellation");
            assertTrue(r.ids.get(0).size() < 250);
            assertEquals(0, queued.events);
            // the slot is free again
            Recorder next = new Recorder(1);
            b.submit(job(prompt(6, 4), SamplingSettings.greedy(3), List.of()), next);
            next.await();
            assertEquals(new Usage(4, 3), next.usages[0]);
        }
    }

    @Test
    void fullQueueAndOverlongPromptsAreRefused() throws Exception {
        try (BatchingBackend b = backend(1, 1)) {
            Submission running = b.submit(job(prompt(1, 4), SamplingSettings.greedy(250), List.of()), new Recorder(1));
            while (b.stats().running() == 0) {
                Thread.sleep(1);
            }
            Submission waiting = b.submit(job(prompt(2, 4), SamplingSettings.greedy(250), List.of()), new Recorder(1));
            ApiException full = assertThrows(ApiException.class,
                    () -> b.submit(job(prompt(3, 4), SamplingSettings.greedy(5), List.of()), new Recorder(1)));
            assertEquals(429, full.status());
            assertEquals("queue_full", full.code());
            running.cancel();
            waiting.cancel();

            ApiException tooLong = assertThrows(ApiException.class,
                    () -> b.submit(job(prompt(1, 256), SamplingSettings.greedy(5), List.of()), new Recorder(1)));
            assertEquals(400, tooLong.status());
            assertEquals("context_length_exceeded", tooLong.code());
            ApiException noRoom = assertThrows(ApiException.class,
                    () -> b.submit(job(prompt(1, 200), SamplingSettings.greedy(100), List.of()), new Recorder(1)));
            assertEquals("max_tokens", noRoom.param());
            // without an explicit max_tokens the reply is clipped to the room left instead
            Recorder clipped = new Recorder(1);
            b.submit(new GenerationJob(new Prompt.Tokens(prompt(1, 250)), SamplingSettings.greedy(100), false,
                    List.of(), 1, -1, 0, 0, Map.of()), clipped);
            clipped.await();
            assertEquals(new Usage(250, 6), clipped.usages[0]);
            assertEquals(FinishReason.LENGTH, clipped.reasons[0]);
        }
    }
}
