package org.aloe4j.quantize;

import org.aloe4j.formats.BFloat16;
import org.aloe4j.formats.gguf.GGMLType;

/**
 * bfloat16, the upper half of the float32 bits rounded to nearest even; a NaN stays a (quiet) NaN. Same bits as
 * ggml's {@code ggml_compute_fp32_to_bf16} and PyTorch's {@code .to(torch.bfloat16)}.
 */
final class BF16Quantizer extends BlockQuantizer {
    static final BF16Quantizer INSTANCE = new BF16Quantizer();

    private BF16Quantizer() {
        super(GGMLType.BF16);
    }

    /** The bf16 bits of {@code v}. */
    static int bits(float v) {
        return BFloat16.fromFloat(v) & 0xFFFF;
    }

    @Override
    void quantizeBlock(float[] x, int xOffset, byte[] y, int yOffset, Object scratch) {
        Bytes.putShort(y, yOffset, bits(x[xOffset]));
    }
}
