package org.aloe4j.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;
import org.aloe4j.formats.gguf.GGMLType;
import org.aloe4j.tensors.Tensor;
import org.aloe4j.tensors.Tensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Quantize, then decode with the tensors layer's readers (bit-exact with ggml's dequantizers): the error must stay
 * within each format's bound. The relative RMSE bounds are about 4% above what ggml's reference algorithms give on
 * Gaussian data (measured here with this code, which is byte-identical to llama-quantize: see
 * {@link MatchesLlamaQuantizeTest}); the max-error bounds follow from each format's scale and level count.
 */
class QuantizerRoundTripTest {
    private static final int ROWS = 64;
    private static final int COLS = 1024;

    /** Relative RMSE bound on N(0,1) data, and the max |error| as a fraction of the block's max |x|. */
    private static double rmseBound(GGMLType t) {
        return switch (t) {
            case F32 -> 0;
            case F16 -> 2.15e-4; // measured 2.07e-4
            case BF16 -> 1.72e-3; // 1.66e-3
            case Q8_0 -> 5.6e-3; // 5.35e-3
            case Q6_K -> 1.85e-2; // 1.78e-2
            case Q5_K -> 3.75e-2; // 3.62e-2
            case Q5_0 -> 4.45e-2; // 4.28e-2
            case Q5_1 -> 3.95e-2; // 3.79e-2
            case Q4_K -> 7.4e-2; // 7.15e-2
            case Q4_0 -> 8.9e-2; // 8.60e-2
            default -> throw new AssertionError(t);
        };
    }

    private static double maxErrorBound(GGMLType t) {
        double half = 1.0 / 2048; // fp16 relative rounding of the scale, times a level at most the max
        return switch (t) {
            case F32 -> 0;
            case F16 -> 1.0 / 2048;
            case BF16 -> 1.0 / 256;
            case Q8_0 -> 0.5 / 127 + half;
            case Q4_0 -> 1.0 / 8 + half; // the value opposite the max can clamp from +8 to +7 levels
            case Q5_0 -> 1.0 / 16 + half;
            case Q5_1 -> 2.0 / 62 + 3 * half; // half a level of (max - min) / 31, plus min's rounding
            default -> Double.NaN; // K-quants: scales fitted by search, no closed form; covered by RMSE
        };
    }

    static float[] gaussian(long seed, int n) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    static float[] decode(GGMLType type, byte[] blocks, int rows, int cols) {
        Tensor t = Tensors.wrap("t", type, MemorySegment.ofArray(blocks), rows, cols);
        float[] out = new float[rows * cols];
        for (int r = 0; r < rows; r++) {
            t.dequantizeRow(r, out, r * cols);
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q5_0", "Q5_1", "Q4_K", "Q5_K",
            "Q6_K"})
    void gaussianRoundTripWithinBounds(GGMLType type) {
        Quantizer q = Quantizer.forType(type);
        assertEquals(type, q.type());
        float[] x = gaussian(42, ROWS * COLS);
        byte[] blocks = q.quantize(x);
        assertEquals(type.bytesFor(x.length), blocks.length);
        float[] y = decode(type, blocks, ROWS, COLS);
        double se = 0;
        double ss = 0;
        for (int i = 0; i < x.length; i++) {
            se += (double) (x[i] - y[i]) * (x[i] - y[i]);
            ss += (double) x[i] * x[i];
        }
        double rel = Math.sqrt(se / ss);
        System.out.printf(Locale.ROOT, "%s: relative RMSE %.4g (bound %.3g)%n", type, rel, rmseBound(type));
        assertTrue(rel <= rmseBound(type), type + ": relative RMSE " + rel + " > " + rmseBound(type));
        if (type.blockSize == 1) {
            // half an ulp relative; fp16 subnormals (below 2^-14) have a fixed step of 2^-24
            double tiny = type == GGMLType.F16 ? 0x1p-25 : 0;
            for (int i = 0; i < x.length; i++) {
                double bound = maxErrorBound(type) * Math.abs(x[i]) + tiny;
                assertTrue(Math.abs(x[i] - y[i]) <= bound, type + " at " + i + ": " + x[i] + " -> " + y[i]);
            }
        } else if (type.blockSize == 32) {
            for (int b = 0; b < x.length; b += 32) {
                double amax = 0;
                double maxErr = 0;
                for (int i = b; i < b + 32; i++) {
                    amax = Math.max(amax, Math.abs(x[i]));
                    maxErr = Math.max(maxErr, Math.abs(x[i] - y[i]));
                }
                double bound = maxErrorBound(type) * amax;
                assertTrue(maxErr <= bound, type + " block at " + b + ": max error " + maxErr + " > " + bound);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"Q8_0", "Q4_0", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void zeroAndConstantBlocks(GGMLType type) {
        Quantizer q = Quantizer.forType(type);
        int n = 256;
        float[] zeros = new float[n];
        for (float v : decode(type, q.quantize(zeros), 1, n)) {
            assertEquals(0f, v, 0f, type + ": zeros"); // -0.0 (d = 0 / -8) counts as zero
        }
        float[] constant = new float[n];
        Arrays.fill(constant, 0.75f);
        float[] y = decode(type, q.quantize(constant), 1, n);
        for (float v : y) {
            assertEquals(0.75f, v, 0.75f * 0.01f, type + ": constant block");
        }
    }

    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"Q8_0", "Q4_0", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void scaleInvariantAcrossMagnitudes(GGMLType type) {
        // scales are fp16: multiplying by 2^k (exact) gives the same levels, so the same relative error, as long as
        // the scales stay clear of fp16's subnormal range (below 6.1e-5, which K-quant scales of blocks with
        // max |x| ~ 0.1 reach: ggml's format loses precision there too)
        Quantizer q = Quantizer.forType(type);
        float[] x = gaussian(7, 4096);
        double reference = -1;
        for (int k = 0; k <= 12; k += 4) {
            float f = (float) Math.scalb(1.0, k);
            float[] xs = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                xs[i] = x[i] * f;
            }
            float[] y = decode(type, q.quantize(xs), 1, xs.length);
            double se = 0;
            for (int i = 0; i < xs.length; i++) {
                se += Math.pow((xs[i] - y[i]) / f, 2);
            }
            if (reference < 0) {
                reference = se;
            }
            assertEquals(reference, se, reference * 1e-3, type + " at scale 2^" + k);
        }
    }

    @Test
    void outlierDoesNotBreakTheBlock() {
        float[] x = gaussian(3, 256);
        x[17] = 1000f;
        for (GGMLType type : new GGMLType[] {GGMLType.Q8_0, GGMLType.Q4_K, GGMLType.Q6_K}) {
            float[] y = decode(type, Quantizer.forType(type).quantize(x), 1, 256);
            assertEquals(1000f, y[17], 1000f * 0.02f, type + ": the outlier survives");
            for (float v : y) {
                assertTrue(Float.isFinite(v), type + ": finite");
            }
        }
    }

    @Test
    void rejectsPartialBlocksAndBadRanges() {
        Quantizer q4k = Quantizer.forType(GGMLType.Q4_K);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> q4k.quantize(new float[100]));
        assertTrue(e.getMessage().contains("256"), e.getMessage());
        assertThrows(IndexOutOfBoundsException.class,
                () -> q4k.quantize(new float[256], 0, 256, new byte[143], 0));
        assertThrows(IllegalArgumentException.class, () -> Quantizer.forType(GGMLType.Q2_K));
    }

    @Test
    void bf16AndF16FollowGgmlRounding() {
        // round-to-nearest-even on the dropped half: 1 + 2^-8 is a tie between 1 and 1 + 2^-7 in bf16
        assertEquals(0x3F80, BF16Quantizer.bits(1f + 0x1p-8f));
        assertEquals(0x3F81, BF16Quantizer.bits(1f + 0x1p-8f + 0x1p-20f));
        assertEquals(0x3F82, BF16Quantizer.bits(1f + 3 * 0x1p-8f));
        assertTrue(Float.isNaN(Float.intBitsToFloat(BF16Quantizer.bits(Float.NaN) << 16)));
        byte[] h = Quantizer.forType(GGMLType.F16).quantize(new float[] {65520f, 1e-8f});
        float[] back = decode(GGMLType.F16, h, 1, 2);
        assertEquals(Float.POSITIVE_INFINITY, back[0]); // above the largest half: ggml (F16C) also gives inf
        assertEquals(0f, back[1]);
    }
}
