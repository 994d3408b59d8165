package org.aloe4j.tensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ParallelTest {
    private static final int ORIGINAL_THREADS = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(ORIGINAL_THREADS);
    }

    @Test
    void coversEveryIndexOnceInContiguousChunksOnePerThread() {
        for (int threads : new int[] {1, 2, 3, 4}) {
            Parallel.setThreads(threads);
            assertEquals(threads, Parallel.threads());
            for (int[] range : new int[][] {{0, 1}, {0, 2}, {5, 8}, {-7, 100}, {0, 1001}}) {
                AtomicIntegerArray hits = new AtomicIntegerArray(range[1] - range[0]);
                List<int[]> chunks = Collections.synchronizedList(new ArrayList<>());
                Set<Thread> runners = ConcurrentHashMap.newKeySet();
                Parallel.forRange(range[0], range[1], (start, end) -> {
                    chunks.add(new int[] {start, end});
                    runners.add(Thread.currentThread());
                    for (int i = start; i < end; i++) {
                        hits.incrementAndGet(i - range[0]);
                    }
                });
                for (int i = 0; i < hits.length(); i++) {
                    assertEquals(1, hits.get(i), "index " + (range[0] + i) + " threads " + threads);
                }
                int length = range[1] - range[0];
                assertEquals(Math.min(threads, length), chunks.size(), "chunks for " + length + " on " + threads);
                assertEquals(chunks.size(), runners.size(), "one chunk per thread");
                assertTrue(runners.contains(Thread.currentThread()), "the caller runs a chunk");
                for (int[] c : chunks) {
                    assertTrue(c[1] - c[0] >= length / threads && c[1] - c[0] <= length / threads + 1, "balanced");
                }
            }
        }
    }

    @Test
    void nestedCallsRunInlineOnTheirThread() {
        Parallel.setThreads(3);
        AtomicIntegerArray hits = new AtomicIntegerArray(30 * 10);
        Parallel.forRange(0, 30, (start, end) -> {
            for (int i = start; i < end; i++) {
                int outer = i;
                Thread me = Thread.currentThread();
                Parallel.forRange(0, 10, (s, e) -> {
                    assertSame(me, Thread.currentThread());
                    assertEquals(0, s);
                    assertEquals(10, e);
                    for (int j = s; j < e; j++) {
                        hits.incrementAndGet(outer * 10 + j);
                    }
                });
            }
        });
        for (int i = 0; i < hits.length(); i++) {
            assertEquals(1, hits.get(i));
        }
    }

    @Test
    void anExceptionInAChunkReachesTheCallerAndThePoolStillWorks() {
        Parallel.setThreads(2);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Parallel.forRange(0, 100, (start, end) -> {
                    if (start > 0) {
                        throw new IllegalStateException("worker chunk failed");
                    }
                }));
        assertEquals("worker chunk failed", e.getMessage());
        assertThrows(ArithmeticException.class, () -> Parallel.forRange(0, 100, (start, end) -> {
            if (start == 0) {
                throw new ArithmeticException("caller chunk failed");
            }
        }));
        int[] sum = new int[100];
        Parallel.forRange(0, 100, (start, end) -> {
            for (int i = start; i < end; i++) {
                sum[i] = i;
            }
        });
        assertEquals(99, sum[99]);
    }

    @Test
    void callersOnSeveralThreadsAllGetTheirWorkDone() throws Exception {
        Parallel.setThreads(2);
        int callers = 4;
        long[] totals = new long[callers];
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            int id = c;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int round = 0; round < 200; round++) {
                    long[] partial = new long[1000];
                    Parallel.forRange(0, 1000, (start, end) -> {
                        for (int i = start; i < end; i++) {
                            partial[i] = i;
                        }
                    });
                    long total = 0;
                    for (long v : partial) {
                        total += v;
                    }
                    totals[id] += total;
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        for (long total : totals) {
            assertEquals(200L * 999 * 1000 / 2, total);
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
        assertThrows(IllegalArgumentException.class, () -> Parallel.forRange(3, 2, (s, e) -> {}));
        Parallel.forRange(4, 4, (s, e) -> {
            throw new AssertionError("empty range must not run");
        });
    }
}
