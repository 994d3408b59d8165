package org.aloe4j.merge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Each merge method on small tensors whose result is worked out by hand (the arithmetic is in the comments; the
 * values are dyadic, so float32 computes them exactly unless a division says otherwise), and the properties the
 * methods must have.
 */
class MergeArithmeticTest {

    private static float[] plus(float[] base, float[] delta) {
        float[] out = new float[base.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = base[i] + delta[i];
        }
        return out;
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }

    @Test
    void linearIsTheNormalizedWeightedAverage() {
        float[] x1 = {1, 2, -3, 4};
        float[] x2 = {3, 0, 1, -4};
        // weights 1 and 3: 1*x1 + 3*x2 = [1+9, 2+0, -3+3, 4-12] = [10, 2, 0, -8]; divided by 1+3 = 4
        float[] normalized = ArrayMerge.of(MergeMethod.LINEAR, null).model(x1, 1).model(x2, 3).run();
        assertArrayEquals(new float[] {2.5f, 0.5f, 0f, -2f}, normalized);
        float[] raw = ArrayMerge.of(MergeMethod.LINEAR, null).model(x1, 1).model(x2, 3).normalize(false).run();
        assertArrayEquals(new float[] {10f, 2f, 0f, -8f}, raw);
    }

    @Test
    void taskArithmeticAddsTheWeightedTaskVectors() {
        float[] base = {1, 1, 1, 1};
        float[] x1 = {2, 0, 1, 3}; // d1 = [1, -1, 0, 2]
        float[] x2 = {0, 3, 1.5f, 1}; // d2 = [-1, 2, 0.5, 0]
        // 0.5*d1 + 1*d2 = [-0.5, 1.5, 0.5, 1]; no normalization by default
        assertArrayEquals(new float[] {0.5f, 2.5f, 1.5f, 2f},
                ArrayMerge.of(MergeMethod.TASK_ARITHMETIC, base).model(x1, 0.5).model(x2, 1).run());
        // lambda 2 doubles the mix: [-1, 3, 1, 2]
        assertArrayEquals(new float[] {0f, 4f, 2f, 3f},
                ArrayMerge.of(MergeMethod.TASK_ARITHMETIC, base).model(x1, 0.5).model(x2, 1).lambda(2).run());
        // normalize: mix / (0.5 + 1) = [-1/3, 1, 1/3, 2/3]
        float[] normalized = ArrayMerge.of(MergeMethod.TASK_ARITHMETIC, base).model(x1, 0.5).model(x2, 1)
                .normalize(true).run();
        assertArrayEquals(new float[] {1 - 1 / 3f, 2f, 1 + 1 / 3f, 1 + 2 / 3f}, normalized, 1e-6f);
    }

    @Test
    void tiesTrimsElectsSignsAndTakesTheDisjointMean() {
        float[] base = filled(8, 1);
        float[] d1 = {0.5f, -0.25f, 1.0f, -0.125f, 0.375f, 0f, -0.75f, 0.0625f};
        float[] d2 = {0.75f, 0.5f, 0.125f, -0.375f, -0.25f, 1.0f, 0.625f, -0.0625f};
        // density 0.5 of 8 elements: k = 4 largest |d| kept
        //   t1 keeps 1.0 (e2), 0.75 (e6), 0.5 (e0), 0.375 (e4): [0.5, 0, 1, 0, 0.375, 0, -0.75, 0]
        //   t2 keeps 1.0 (e5), 0.75 (e0), 0.625 (e6), 0.5 (e1):  [0.75, 0.5, 0, 0, 0, 1, 0.625, 0]
        // weights 1 and 0.5: wd1 = t1, wd2 = [0.375, 0.25, 0, 0, 0, 0.5, 0.3125, 0]
        // sum = [0.875, 0.25, 1, 0, 0.375, 0.5, -0.4375, 0] -> elected sign + everywhere except e6 (-); 0 counts as +
        //   e0: both agree: (0.5 + 0.375) / (1 + 0.5);  e1: only model 2: 0.25 / 0.5 = 0.5;  e2: 1 / 1
        //   e3: nobody (zeros never agree): 0;  e4: 0.375 / 1;  e5: 0.5 / 0.5 = 1;  e6: only model 1: -0.75 / 1;  e7: 0
        float[] expected = {1 + 0.875f / 1.5f, 1.5f, 2f, 1f, 1.375f, 2f, 0.25f, 1f};
        float[] out = ArrayMerge.of(MergeMethod.TIES, base).model(plus(base, d1), 1, 0.5).model(plus(base, d2), 0.5, 0.5)
                .run();
        assertArrayEquals(expected, out);
        // without normalize the agreeing weighted deltas are just summed: [0.875, 0.25, 1, 0, 0.375, 0.5, -0.75, 0]
        float[] raw = ArrayMerge.of(MergeMethod.TIES, base).model(plus(base, d1), 1, 0.5).model(plus(base, d2), 0.5, 0.5)
                .normalize(false).run();
        assertArrayEquals(new float[] {1.875f, 1.25f, 2f, 1f, 1.375f, 1.5f, 0.25f, 1f}, raw);
        // the same with one element per chunk (the trim is decided over the whole tensor, not per chunk)
        assertArrayEquals(expected, ArrayMerge.of(MergeMethod.TIES, base).model(plus(base, d1), 1, 0.5)
                .model(plus(base, d2), 0.5, 0.5).chunk(1).run());
    }

    @Test
    void aZeroSignSumElectsThePositiveSign() {
        float[] base = {1, 1};
        // e0: wd = 0.5 and -0.5 sum to 0, which elects + (mergekit: sign_weight >= 0): 0.5 / 1
        // e1: wd = -0.5 and 0.25 sum to -0.25: -0.5 / 1
        float[] out = ArrayMerge.of(MergeMethod.TIES, base).model(new float[] {1.5f, 0.5f}, 1)
                .model(new float[] {0.5f, 1.25f}, 1).run();
        assertArrayEquals(new float[] {1.5f, 0.5f}, out);
    }

    @Test
    void tiesBreaksMagnitudeTiesByIndexAndKeepsExactlyK() {
        float[] base = filled(4, 2);
        // |d| = [0.5, 0.5, 0.5, 0.25], density 0.5 -> k = 2: two of the three 0.5s, the first two by index
        float[] d = {0.5f, -0.5f, 0.5f, 0.25f};
        float[] expected = {2.5f, 1.5f, 2f, 2f};
        for (int chunk : new int[] {1, 2, 3, 4}) {
            assertArrayEquals(expected, ArrayMerge.of(MergeMethod.TIES, base).model(plus(base, d), 1, 0.5).chunk(chunk)
                    .run(), "chunk " + chunk);
        }
    }

    @Test
    void tiesWithRescaleMatchesTheL1NormOfTheTaskVector() {
        float[] base = filled(4, 0);
        // density 0.5: keep 4 and -2; L1 before = 4+2+1+0.5 = 7.5, after = 6 -> factor 1.25: [5, -2.5, 0, 0]
        float[] d = {4f, -2f, 1f, 0.5f};
        assertArrayEquals(new float[] {5f, -2.5f, 0f, 0f},
                ArrayMerge.of(MergeMethod.TIES, base).model(d, 1, 0.5).rescale(true).run());
    }

    @Test
    void tiesRejectsADensityThatKeepsNothing() {
        // int(0.1 * 4) = 0 elements: mergekit asserts; we say which tensor
        MergeException e = assertThrows(MergeException.class,
                () -> ArrayMerge.of(MergeMethod.TIES, filled(4, 0)).model(filled(4, 1), 1, 0.1).run());
        assertTrue(e.getMessage().contains("model.layers.0.mlp.up_proj.weight"), e.getMessage());
    }

    /** DARE's mask is a hash; the expected values apply the hand formula to the mask DareMask reports. */
    @Test
    void dareTiesDropsRescalesAndMergesDisjointly() {
        int n = 64;
        Random rnd = new Random(5);
        float[] base = new float[n];
        float[] d1 = new float[n];
        float[] d2 = new float[n];
        for (int i = 0; i < n; i++) {
            base[i] = rnd.nextInt(9) - 4; // small integers and dyadic deltas keep float32 exact
            d1[i] = (rnd.nextInt(17) - 8) / 8f;
            d2[i] = (rnd.nextInt(17) - 8) / 8f;
        }
        long seed = 1234;
        String name = "model.layers.3.self_attn.q_proj.weight";
        ArrayMerge m = ArrayMerge.of(MergeMethod.DARE_TIES, base).name(name).seed(seed).model(plus(base, d1), 1, 0.5)
                .model(plus(base, d2), 0.5, 0.25).normalize(true).chunk(7);
        float[] out = m.run();
        long k1 = DareMask.streamKey(seed, name, 1);
        long k2 = DareMask.streamKey(seed, name, 2);
        int kept1 = 0;
        int kept2 = 0;
        for (int e = 0; e < n; e++) {
            // dropped -> 0; kept -> delta / density (rescale defaults to true for dare_ties)
            float t1 = DareMask.keep(k1, e, DareMask.threshold(0.5)) ? d1[e] * 2 : 0;
            float t2 = DareMask.keep(k2, e, DareMask.threshold(0.25)) ? d2[e] * 4 : 0;
            kept1 += t1 != 0 ? 1 : 0;
            kept2 += t2 != 0 ? 1 : 0;
            float w1 = t1 * 1;
            float w2 = t2 * 0.5f;
            float sign = w1 + w2 >= 0 ? 1 : -1;
            float mix = 0;
            float div = 0;
            if (Math.signum(w1) == sign) {
                mix += w1;
                div += 1;
            }
            if (Math.signum(w2) == sign) {
                mix += w2;
                div += 0.5f;
            }
            float expected = base[e] + (div == 0 ? mix : mix / div);
            assertEquals(expected, out[e], 0f, "element " + e);
        }
        // the masks really drop about the requested fraction (binomial: 32 +- 4 and 16 +- 3.5)
        assertTrue(kept1 > 16 && kept1 < 48, "kept " + kept1);
        assertTrue(kept2 > 4 && kept2 < 30, "kept " + kept2);
    }

    @Test
    void dareLinearSumsTheDroppedAndRescaledTaskVectors() {
        int n = 40;
        float[] base = filled(n, 3);
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            d[i] = (i % 5 - 2) * 0.25f;
        }
        float[] out = ArrayMerge.of(MergeMethod.DARE_LINEAR, base).seed(9).model(plus(base, d), 0.5, 0.5).run();
        long key = DareMask.streamKey(9, "model.layers.0.mlp.up_proj.weight", 1);
        for (int e = 0; e < n; e++) {
            // 3 + 0.5 * (kept ? d / 0.5 : 0)
            float expected = DareMask.keep(key, e, DareMask.threshold(0.5)) ? 3 + 0.5f * (d[e] * 2) : 3;
            assertEquals(expected, out[e], 0f, "element " + e);
        }
    }

    @Test
    void dareTiesAtDensityOneEqualsTiesAtDensityOne() {
        Random rnd = new Random(11);
        int n = 1000;
        float[] base = new float[n];
        float[] x1 = new float[n];
        float[] x2 = new float[n];
        float[] x3 = new float[n];
        for (int i = 0; i < n; i++) {
            base[i] = (float) rnd.nextGaussian();
            x1[i] = base[i] + 0.1f * (float) rnd.nextGaussian();
            x2[i] = base[i] + 0.1f * (float) rnd.nextGaussian();
            x3[i] = base[i] + 0.1f * (float) rnd.nextGaussian();
        }
        for (boolean normalize : new boolean[] {true, false}) {
            float[] dare = ArrayMerge.of(MergeMethod.DARE_TIES, base).model(x1, 0.3, 1).model(x2, 0.5, 1).model(x3, 0.9, 1)
                    .normalize(normalize).run();
            float[] ties = ArrayMerge.of(MergeMethod.TIES, base).model(x1, 0.3, 1).model(x2, 0.5, 1).model(x3, 0.9, 1)
                    .normalize(normalize).run();
            assertArrayEquals(ties, dare);
            assertNotEquals(Arrays.toString(base), Arrays.toString(dare));
        }
    }

    @Test
    void linearWithOneModelAtWeightOneReturnsItExactly() {
        Random rnd = new Random(3);
        float[] x = new float[777];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextGaussian() * Math.exp(rnd.nextGaussian() * 5));
        }
        assertArrayEquals(x, ArrayMerge.of(MergeMethod.LINEAR, null).model(x, 1.0).chunk(100).run());
    }

    @Test
    void taskArithmeticWithWeightZeroReturnsTheBase() {
        Random rnd = new Random(4);
        float[] base = new float[500];
        float[] x = new float[500];
        for (int i = 0; i < base.length; i++) {
            base[i] = (float) rnd.nextGaussian();
            x[i] = (float) rnd.nextGaussian();
        }
        assertArrayEquals(base, ArrayMerge.of(MergeMethod.TASK_ARITHMETIC, base).model(x, 0).run());
        assertArrayEquals(base, ArrayMerge.of(MergeMethod.TASK_ARITHMETIC, base).model(x, 0).normalize(true).run());
    }

    @Test
    void dareKeepsAboutTheDensityFraction() {
        int n = 1 << 20;
        float[] base = new float[n];
        float[] x = filled(n, 1);
        for (double density : new double[] {0.1, 0.3, 0.5, 0.9}) {
            float[] out = ArrayMerge.of(MergeMethod.DARE_LINEAR, base).model(x, 1, density).rescale(false).run();
            long kept = 0;
            for (float v : out) {
                kept += v != 0 ? 1 : 0;
            }
            double fraction = kept / (double) n;
            double sigma = Math.sqrt(density * (1 - density) / n);
            assertEquals(density, fraction, 5 * sigma, "density " + density);
        }
    }

    @Test
    void dareRescaledDeltaIsUnbiasedOverSeeds() {
        int n = 16;
        float[] base = new float[n];
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            d[i] = (i - 7.5f) / 4;
        }
        double density = 0.3;
        int seeds = 20000;
        double[] sum = new double[n];
        for (int s = 0; s < seeds; s++) {
            float[] out = ArrayMerge.of(MergeMethod.DARE_LINEAR, base).model(d, 1, density).seed(s).run();
            for (int i = 0; i < n; i++) {
                sum[i] += out[i];
            }
        }
        for (int i = 0; i < n; i++) {
            double mean = sum[i] / seeds;
            // the mean of (kept ? d/p : 0) has standard error |d| sqrt((1-p)/p) / sqrt(seeds) = 0.0108 |d|
            double se = Math.abs(d[i]) * Math.sqrt((1 - density) / density) / Math.sqrt(seeds);
            assertEquals(d[i], mean, 5 * se, "element " + i);
        }
    }

    @Test
    void resultsDoNotDependOnChunking() {
        Random rnd = new Random(8);
        int n = 5000;
        float[] base = new float[n];
        float[] x1 = new float[n];
        float[] x2 = new float[n];
        for (int i = 0; i < n; i++) {
            base[i] = (float) rnd.nextGaussian();
            // quantized deltas: many magnitude ties, so the tie bookkeeping across chunks is exercised
            x1[i] = base[i] + rnd.nextInt(7) - 3;
            x2[i] = base[i] + rnd.nextInt(7) - 3;
        }
        for (MergeMethod method : new MergeMethod[] {MergeMethod.TIES, MergeMethod.DARE_TIES, MergeMethod.DARE_LINEAR}) {
            float[] whole = ArrayMerge.of(method, base).model(x1, 0.7, 0.4).model(x2, 0.3, 0.6).chunk(n).run();
            for (int chunk : new int[] {1, 13, 1024}) {
                assertArrayEquals(whole, ArrayMerge.of(method, base).model(x1, 0.7, 0.4).model(x2, 0.3, 0.6).chunk(chunk)
                        .run(), method + " chunk " + chunk);
            }
        }
    }

    @Test
    void dareMaskDependsOnSeedTensorAndModel() {
        float[] base = new float[256];
        float[] x = filled(256, 1);
        float[] a = ArrayMerge.of(MergeMethod.DARE_LINEAR, base).model(x, 1, 0.5).run();
        assertArrayEquals(a, ArrayMerge.of(MergeMethod.DARE_LINEAR, base).model(x, 1, 0.5).run());
        assertNotEquals(Arrays.toString(a),
                Arrays.toString(ArrayMerge.of(MergeMethod.DARE_LINEAR, base).model(x, 1, 0.5).seed(43).run()));
        assertNotEquals(Arrays.toString(a),
                Arrays.toString(ArrayMerge.of(MergeMethod.DARE_LINEAR, base).model(x, 1, 0.5).name("other").run()));
        ArrayMerge second = ArrayMerge.of(MergeMethod.DARE_LINEAR, base).model(x, 0, 0.5).model(x, 1, 0.5);
        assertNotEquals(Arrays.toString(a), Arrays.toString(second.run()));
    }
}
