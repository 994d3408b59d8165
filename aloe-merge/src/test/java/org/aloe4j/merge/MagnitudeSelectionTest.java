package org.aloe4j.merge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The streaming top-k against a sort of the whole tensor (|value| descending, index ascending among equals). */
class MagnitudeSelectionTest {

    private static float[] bySorting(float[] d, long k) {
        Integer[] order = IntStream.range(0, d.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -Math.abs(d[i])).thenComparingInt(i -> i));
        float[] out = new float[d.length];
        for (int r = 0; r < k; r++) {
            out[order[r]] = d[order[r]];
        }
        return out;
    }

    private static float[] byRadixSelection(float[] d, long k, int chunk) {
        MagnitudeSelection s = MagnitudeSelection.select(d.length, k, chunk,
                (start, count, dst) -> System.arraycopy(d, (int) start, dst, 0, count), false);
        float[] out = d.clone();
        for (int start = 0; start < d.length; start += chunk) {
            int n = Math.min(chunk, d.length - start);
            float[] part = Arrays.copyOfRange(out, start, start + n);
            s.apply(start, part, n);
            System.arraycopy(part, 0, out, start, n);
        }
        return out;
    }

    @Test
    void keepsExactlyTheTopKAsASortWould() {
        Random rnd = new Random(17);
        for (int trial = 0; trial < 40; trial++) {
            int n = 1 + rnd.nextInt(3000);
            float[] d = new float[n];
            boolean fewValues = trial % 2 == 0; // half the trials have many equal magnitudes
            for (int i = 0; i < n; i++) {
                d[i] = fewValues ? (rnd.nextInt(9) - 4) * 0.125f : (float) rnd.nextGaussian() * 1e-3f;
            }
            long k = 1 + rnd.nextInt(n);
            int chunk = 1 + rnd.nextInt(n + 10);
            assertArrayEquals(bySorting(d, k), byRadixSelection(d, k, chunk), "trial " + trial + " n=" + n + " k=" + k);
        }
    }

    @Test
    void thresholdIsTheKthLargestMagnitude() {
        float[] d = {0.1f, -3f, 2f, 0f, -2f, 5f};
        // magnitudes sorted: 5, 3, 2, 2, 0.1, 0 -> k = 3 stops at 2 (one of the two 2s kept)
        MagnitudeSelection s = MagnitudeSelection.select(d.length, 3, 4,
                (start, count, dst) -> System.arraycopy(d, (int) start, dst, 0, count), true);
        assertEquals(2f, s.threshold());
        // L1: before = 0.1+3+2+0+2+5 = 12.1 -> after = 5+3+2 = 10 -> 1.21
        assertEquals(12.1f / 10f, s.scale(), 1e-6f);
    }
}
