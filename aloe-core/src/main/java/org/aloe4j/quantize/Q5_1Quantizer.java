package org.aloe4j.quantize;

import org.aloe4j.formats.gguf.GGMLType;

/**
 * Q5_1: blocks of 32 values as fp16 {@code d = (max - min) / 31} and {@code m = min}, and 5-bit levels
 * {@code round((x - min) / d)} (ggml's {@code quantize_row_q5_1_ref}). llama-quantize's fallback for Q5_K when rows
 * are not a multiple of 256.
 */
final class Q5_1Quantizer extends BlockQuantizer {
    static final Q5_1Quantizer INSTANCE = new Q5_1Quantizer();

    private Q5_1Quantizer() {
        super(GGMLType.Q5_1);
    }

    @Override
    void quantizeBlock(float[] x, int xo, byte[] y, int yo, Object scratch) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int j = 0; j < 32; j++) {
            float v = x[xo + j];
            if (v < min) {
                min = v;
            }
            if (v > max) {
                max = v;
            }
        }
        float d = (max - min) / 31;
        float id = d != 0 ? 1.0f / d : 0.0f;
        Bytes.putHalf(y, yo, d);
        Bytes.putHalf(y, yo + 2, min);
        int qh = 0;
        for (int j = 0; j < 16; j++) {
            // ggml does not clamp here; a rounding overshoot to 32 would wrap to level 0, so we clamp to 31
            int q0 = Math.min(31, (int) ((x[xo + j] - min) * id + 0.5f));
            int q1 = Math.min(31, (int) ((x[xo + 16 + j] - min) * id + 0.5f));
            y[yo + 8 + j] = (byte) ((q0 & 0x0F) | ((q1 & 0x0F) << 4));
            qh |= ((q0 & 0x10) >> 4) << j;
            qh |= ((q1 & 0x10) >> 4) << (j + 16);
        }
        Bytes.putInt(y, yo + 4, qh);
    }
}
