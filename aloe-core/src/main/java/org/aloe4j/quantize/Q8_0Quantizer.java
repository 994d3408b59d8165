package org.aloe4j.quantize;

import org.aloe4j.formats.gguf.GGMLType;

/**
 * Q8_0: blocks of 32 values as an fp16 scale {@code d = max|x| / 127} and 32 signed bytes {@code round(x / d)}
 * (ggml's {@code quantize_row_q8_0_ref}).
 */
final class Q8_0Quantizer extends BlockQuantizer {
    static final Q8_0Quantizer INSTANCE = new Q8_0Quantizer();

    private Q8_0Quantizer() {
        super(GGMLType.Q8_0);
    }

    @Override
    void quantizeBlock(float[] x, int xo, byte[] y, int yo, Object scratch) {
        float amax = 0;
        for (int j = 0; j < 32; j++) {
            amax = Math.max(amax, Math.abs(x[xo + j]));
        }
        float d = amax / 127;
        float id = d != 0 ? 1.0f / d : 0.0f;
        Bytes.putHalf(y, yo, d);
        for (int j = 0; j < 32; j++) {
            y[yo + 2 + j] = (byte) (int) QuantMath.roundf(x[xo + j] * id);
        }
    }
}
