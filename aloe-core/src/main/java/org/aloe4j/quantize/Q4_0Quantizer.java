package org.aloe4j.quantize;

import org.aloe4j.formats.gguf.GGMLType;

/**
 * Q4_0: blocks of 32 values as an fp16 scale {@code d = max / -8} (max = the value of largest magnitude, with its
 * sign) and 4-bit levels {@code 0..15} standing for {@code (q - 8) * d}; value j in the low nibble of byte j, value
 * j + 16 in the high nibble (ggml's {@code quantize_row_q4_0_ref}).
 */
final class Q4_0Quantizer extends BlockQuantizer {
    static final Q4_0Quantizer INSTANCE = new Q4_0Quantizer();

    private Q4_0Quantizer() {
        super(GGMLType.Q4_0);
    }

    @Override
    void quantizeBlock(float[] x, int xo, byte[] y, int yo, Object scratch) {
        float d = QuantMath.maxByMagnitude(x, xo, 32) / -8;
        float id = d != 0 ? 1.0f / d : 0.0f;
        Bytes.putHalf(y, yo, d);
        for (int j = 0; j < 16; j++) {
            // C truncates (x + 8.5) toward zero: rounds half up within the 0..16 range, then 16 is clamped to 15
            int q0 = Math.min(15, (int) (x[xo + j] * id + 8.5f));
            int q1 = Math.min(15, (int) (x[xo + 16 + j] * id + 8.5f));
            y[yo + 2 + j] = (byte) (q0 | (q1 << 4));
        }
    }
}
