package org.aloe4j.formats;

/**
 * bfloat16: the upper 16 bits of a float32. Narrowing rounds to nearest even, as ggml's {@code GGML_FP32_TO_BF16}
 * and PyTorch's {@code .to(torch.bfloat16)} do; a NaN stays a quiet NaN instead of rounding into infinity.
 */
public final class BFloat16 {
    private BFloat16() {}

    /** The bf16 bits of {@code v}. */
    public static short fromFloat(float v) {
        int u = Float.floatToRawIntBits(v);
        if ((u & 0x7fffffff) > 0x7f800000) {
            return (short) ((u >>> 16) | 0x0040);
        }
        return (short) ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16);
    }

    /** The float value of bf16 bits (exact). */
    public static float toFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }
}
