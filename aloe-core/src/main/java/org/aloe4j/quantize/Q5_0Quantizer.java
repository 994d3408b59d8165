package org.aloe4j.quantize;

import org.aloe4j.formats.gguf.GGMLType;

/**
 * Q5_0: like Q4_0 with 5-bit levels ({@code d = max / -16}, levels {@code 0..31} standing for {@code (q - 16) * d});
 * the fifth bits in a 32-bit field after the scale (ggml's {@code quantize_row_q5_0_ref}). llama-quantize's fallback
 * for Q4_K when rows are not a multiple of 256.
 */
final class Q5_0Quantizer extends BlockQuantizer {
    static final Q5_0Quantizer INSTANCE = new Q5_0Quantizer();

    private Q5_0Quantizer() {
        super(GGMLType.Q5_0);
    }

    @Override
    void quantizeBlock(float[] x, int xo, byte[] y, int yo, Object scratch) {
        float d = QuantMath.maxByMagnitude(x, xo, 32) / -16;
        float id = d != 0 ? 1.0f / d : 0.0f;
        Bytes.putHalf(y, yo, d);
        int qh = 0;
        for (int j = 0; j < 16; j++) {
            int q0 = Math.min(31, (int) (x[xo + j] * id + 16.5f));
            int q1 = Math.min(31, (int) (x[xo + 16 + j] * id + 16.5f));
            y[yo + 6 + j] = (byte) ((q0 & 0x0F) | ((q1 & 0x0F) << 4));
            qh |= ((q0 & 0x10) >> 4) << j;
            qh |= ((q1 & 0x10) >> 4) << (j + 16);
        }
        Bytes.putInt(y, yo + 2, qh);
    }
}
