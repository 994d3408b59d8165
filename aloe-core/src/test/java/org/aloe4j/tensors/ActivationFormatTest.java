package org.aloe4j.tensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.aloe4j.formats.gguf.GGMLType;
import org.junit.jupiter.api.Test;

/**
 * llama.cpp's activation rounding: hand-computed blocks, and the products of the rounded activations against an
 * independent integer computation written from ggml's block formulas (Q4_1 x Q8_1 uses the stored fp16 block sum).
 * The end-to-end check against llama.cpp itself is FixtureLogitsTest.
 */
class ActivationFormatTest {

    private static float f16(float v) {
        return Float.float16ToFloat(Float.floatToFloat16(v));
    }

    @Test
    void q8_0RoundsHalfToEvenWithAnFp16Scale() {
        float[] x = new float[32];
        x[0] = 1f;              // amax: q = 127
        x[1] = 63.5f / 127f;    // x * 127 / amax = 63.5 (up to float rounding of the division) -> 64 or 63
        x[2] = -2.5f / 127f;    // -2.5 -> -2 (half to even)
        x[3] = 0.004f;          // 0.508 -> 1
        float[] out = new float[32];
        ActivationFormat.Q8_0.round(x, 0, 32, out, 0, null, 0);
        float d = f16(1f / 127f);
        assertEquals(127 * d, out[0]);
        assertEquals(Math.rint(x[1] * (127f / 1f)) * d, out[1]);
        assertEquals(-2 * d, out[2]);
        assertEquals(1 * d, out[3]);
        assertEquals(0f, out[4]);
    }

    @Test
    void q8_KUsesTheSignedMaximumAndClampsItsMirror() {
        float[] x = new float[256];
        x[0] = -2f;     // the value of largest magnitude: iscale = -127 / -2 = 63.5
        x[1] = 1f;      // 63.5 -> 64 (half to even)
        x[2] = 0.01f;   // 0.635 -> 1
        float[] out = new float[256];
        ActivationFormat.Q8_K.round(x, 0, 256, out, 0, null, 0);
        float d = 1 / 63.5f;
        assertEquals(-127 * d, out[0]);
        assertEquals(64 * d, out[1]);
        assertEquals(d, out[2]);

        x[0] = 2f;      // positive max: iscale = -63.5, so x = -2 would give +127 and x = 2 gives -127
        x[3] = -2f;
        ActivationFormat.Q8_K.round(x, 0, 256, out, 0, null, 0);
        assertEquals(-127 * (1 / -63.5f), out[0]);
        assertEquals(127 * (1 / -63.5f), out[3]);
    }

    /** The integer form: scale times q is what round() writes, bit for bit; sums32 are the sums of q. */
    @Test
    void quantizeIsTheIntegerFormOfRound() {
        float[] x = RandomTensors.randomVector(2 * 512, 9);
        for (int j = 0; j < 256; j++) {
            x[512 + j] = 0; // one all-zero Q8_K block
        }
        for (ActivationFormat format : new ActivationFormat[] {ActivationFormat.Q8_0, ActivationFormat.Q8_K}) {
            float[] rounded = new float[x.length];
            for (int i = 0; i < 2; i++) {
                format.round(x, i * 512, 512, rounded, i * 512, null, 0);
            }
            QuantizedActivations a = new QuantizedActivations().quantize(format, x, 2, 512);
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 512; j++) {
                    float v = a.value(i, j);
                    assertEquals(Float.floatToRawIntBits(rounded[i * 512 + j]), Float.floatToRawIntBits(v),
                            format + " value " + i + "," + j);
                }
            }
            for (int g = 0; g < 2 * 512 / 32; g++) {
                float sum = 0;
                for (int j = 0; j < 32; j++) {
                    float q = a.q[g * 32 + j];
                    assertEquals(Math.rint(q), q, 0.0, "q is an integer");
                    assertTrue(Math.abs(q) <= 127, "q within 8 bits");
                    sum += q;
                }
                assertEquals(sum, a.sums32[g], 0.0, format + " sum of group " + g);
            }
        }
        assertThrows(UnsupportedOperationException.class,
                () -> new QuantizedActivations().quantize(ActivationFormat.F16, x, 1, 512));
        assertThrows(IllegalArgumentException.class,
                () -> new QuantizedActivations().quantize(ActivationFormat.Q8_K, x, 1, 100));
    }

    @Test
    void zeroBlocksStayZero() {
        for (ActivationFormat f : ActivationFormat.values()) {
            float[] x = new float[256];
            float[] out = new float[256];
            java.util.Arrays.fill(out, 7f);
            float[] corr = new float[8];
            f.round(x, 0, 256, out, 0, corr, 0);
            for (float v : out) {
                assertEquals(0f, v, f.toString());
            }
        }
    }

    @Test
    void halfPrecisionFormatsRoundToNearestEven() {
        float[] x = {1f + 0x1p-11f, 1f + 0x3p-11f, 1f + 0x1p-8f, 1f + 0x3p-8f, Float.NaN};
        float[] out = new float[5];
        ActivationFormat.F16.round(x, 0, 4, out, 0, null, 0);
        assertEquals(1f, out[0]);               // halfway: to even (1.0)
        assertEquals(1f + 0x1p-9f, out[1]);     // halfway: to even (1 + 2^-9... mantissa ends in 0)
        ActivationFormat.BF16.round(x, 2, 3, out, 0, null, 0);
        assertEquals(1f, out[0]);               // 1 + 2^-8 is halfway between bf16 1 and 1 + 2^-7: to even
        assertEquals(1f + 0x1p-6f, out[1]);
        assertEquals(true, Float.isNaN(out[2]));
    }

    @Test
    void rejectsRowsThatAreNotWholeBlocks() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ActivationFormat.Q8_K.round(new float[300], 0, 300, new float[300], 0, null, 0));
        assertEquals("Q8_K activations need a multiple of 256 values, got 300", e.getMessage());
    }

    /** Every quantized type: MatMul with llama.cpp's format equals the exactly dequantized rows times the rounded rows. */
    @Test
    void matmulWithRoundedActivationsEqualsTheDequantizedProduct() {
        GGMLType[] types = {GGMLType.Q4_0, GGMLType.Q4_1, GGMLType.Q5_0, GGMLType.Q5_1, GGMLType.Q8_0,
                GGMLType.Q2_K, GGMLType.Q3_K, GGMLType.Q4_K, GGMLType.Q5_K, GGMLType.Q6_K, GGMLType.F16,
                GGMLType.BF16};
        int rows = 24, cols = 512, n = 3;
        try (Arena arena = Arena.ofShared()) {
            for (GGMLType type : types) {
                Tensor w = RandomTensors.create(type, rows, cols, 11, arena);
                ActivationFormat f = ActivationFormat.llamaCpp(type);
                float[] x = RandomTensors.randomVector(n * cols, 5);
                float[] out = new float[n * rows];
                MatMul.matmul(w, x, n, out, f);
                float[] rounded = new float[cols];
                float[] corr = new float[cols / 32];
                float[] row = new float[cols];
                for (int i = 0; i < n; i++) {
                    f.round(x, i * cols, cols, rounded, 0, corr, 0);
                    for (int r = 0; r < rows; r++) {
                        w.dequantizeRow(r, row, 0);
                        double expected = 0, magnitude = 0;
                        for (int j = 0; j < cols; j++) {
                            expected += (double) row[j] * rounded[j];
                            magnitude += Math.abs((double) row[j] * rounded[j]);
                        }
                        if (f == ActivationFormat.Q8_1) {
                            expected += q8_1MinTerm(w, r, corr);
                        }
                        // float accumulation: a few ulps of the sum of magnitudes
                        assertEquals(expected, out[i * rows + r], 1e-6 * magnitude, type + " row " + r);
                    }
                }
            }
        }
    }

    /**
     * Q4_1 against ggml's integer formula, written out from the block layout: per block
     * {@code d_w * d_x * sum(q_w * q_x) + m_w * s_x} with {@code s_x = fp16(d_x * sum(q_x))}.
     */
    @Test
    void q4_1MatchesGgmlsIntegerFormula() {
        int cols = 256;
        try (Arena arena = Arena.ofShared()) {
            Tensor w = RandomTensors.create(GGMLType.Q4_1, 4, cols, 3, arena);
            float[] x = RandomTensors.randomVector(cols, 9);
            float[] out = new float[4];
            MatMul.matmul(w, x, 1, out, ActivationFormat.Q8_1);
            MemorySegment data = w.data();
            var le = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            for (int r = 0; r < 4; r++) {
                double sum = 0;
                for (int b = 0; b < cols / 32; b++) {
                    long off = r * w.rowBytes() + b * 20L;
                    float dw = Float.float16ToFloat(data.get(le, off));
                    float mw = Float.float16ToFloat(data.get(le, off + 2));
                    float amax = 0;
                    for (int j = 0; j < 32; j++) {
                        amax = Math.max(amax, Math.abs(x[b * 32 + j]));
                    }
                    float dx = amax / 127f;
                    long sumQq = 0, sumQx = 0;
                    for (int j = 0; j < 32; j++) {
                        int qx = (int) Math.rint(x[b * 32 + j] * (127f / amax));
                        int byteVal = data.get(ValueLayout.JAVA_BYTE, off + 4 + (j % 16)) & 0xFF;
                        int qw = j < 16 ? byteVal & 0x0F : byteVal >>> 4;
                        sumQq += (long) qw * qx;
                        sumQx += qx;
                    }
                    float sx = f16(dx * sumQx);
                    sum += (double) dw * f16(dx) * sumQq + (double) mw * sx;
                }
                assertEquals(sum, out[r], 1e-5, "row " + r);
            }
        }
    }

    private static double q8_1MinTerm(Tensor w, int row, float[] corr) {
        MemorySegment data = w.data();
        var le = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        double s = 0;
        int blockBytes = (int) (w.rowBytes() / (w.cols() / 32));
        for (int b = 0; b < w.cols() / 32; b++) {
            s += (double) Float.float16ToFloat(data.get(le, row * w.rowBytes() + (long) b * blockBytes + 2)) * corr[b];
        }
        return s;
    }
}
