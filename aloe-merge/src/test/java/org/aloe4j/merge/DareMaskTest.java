package org.aloe4j.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

class DareMaskTest {

    /** The vectorised drop makes the same decisions as the scalar {@link DareMask#keep}, at any start and length. */
    @Test
    void vectorDropEqualsScalarDecisions() {
        long key = DareMask.streamKey(3, "model.layers.1.mlp.gate_proj.weight", 2);
        long[] starts = {0, 5, 1 << 19, (1L << 32) - 37, 1L << 32, 5L << 32};
        for (long start : starts) {
            for (int count : new int[] {1, 7, 8, 100, 1000}) {
                for (boolean rescale : new boolean[] {true, false}) {
                    float[] x = new float[count];
                    for (int i = 0; i < count; i++) {
                        x[i] = 1 + i;
                    }
                    DareMask.apply(key, start, x, count, 0.3, rescale);
                    for (int i = 0; i < count; i++) {
                        boolean kept = DareMask.keep(key, start + i, DareMask.threshold(0.3));
                        float expected = kept ? (rescale ? (1 + i) / 0.3f : 1 + i) : 0f;
                        assertEquals(expected, x[i], "start " + start + " element " + i);
                    }
                }
            }
        }
    }

    @Test
    void indicesBeyondTwoToThe32DrawNewValues() {
        long key = DareMask.streamKey(1, "t", 1);
        int same = 0;
        for (long i = 0; i < 1000; i++) {
            same += DareMask.uniformBits(key, i) == DareMask.uniformBits(key, i + (1L << 32)) ? 1 : 0;
        }
        assertEquals(0, same);
    }

    @Test
    void thresholdsFollowTheDensity() {
        assertEquals(1L << 31, DareMask.threshold(0.5));
        assertEquals(1L << 32, DareMask.threshold(1.0));
        assertEquals(0, DareMask.threshold(0.0));
        assertNotEquals(DareMask.streamKey(1, "a", 1), DareMask.streamKey(1, "a", 2));
    }
}
