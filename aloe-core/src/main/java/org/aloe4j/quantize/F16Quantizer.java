package org.aloe4j.quantize;

import org.aloe4j.formats.gguf.GGMLType;

/** IEEE half precision, rounded to nearest even (ggml's GGML_FP32_TO_FP16; out-of-range values become infinity). */
final class F16Quantizer extends BlockQuantizer {
    static final F16Quantizer INSTANCE = new F16Quantizer();

    private F16Quantizer() {
        super(GGMLType.F16);
    }

    @Override
    void quantizeBlock(float[] x, int xOffset, byte[] y, int yOffset, Object scratch) {
        Bytes.putHalf(y, yOffset, x[xOffset]);
    }
}
