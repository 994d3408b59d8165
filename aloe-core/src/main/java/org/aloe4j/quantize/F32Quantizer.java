package org.aloe4j.quantize;

import org.aloe4j.formats.gguf.GGMLType;

/** Plain little-endian float32: no rounding at all. */
final class F32Quantizer extends BlockQuantizer {
    static final F32Quantizer INSTANCE = new F32Quantizer();

    private F32Quantizer() {
        super(GGMLType.F32);
    }

    @Override
    void quantizeBlock(float[] x, int xOffset, byte[] y, int yOffset, Object scratch) {
        Bytes.putFloat(y, yOffset, x[xOffset]);
    }
}
