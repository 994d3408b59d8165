package org.aloe4j.tensors;

import org.aloe4j.formats.BFloat16;
import org.aloe4j.formats.gguf.GGMLType;

/**
 * The precision that activations are brought to before their dot products with a weight matrix.
 *
 * <p>llama.cpp does not multiply its weights by float activations: it first converts each activation row to the
 * weight type's "vec_dot type" (F16 for F16 weights, BF16 for BF16, 8-bit blocks for the quantized types) and then
 * computes block dot products. The result differs from a float product by up to a few percent of the logits' rms on
 * quantized models, enough to flip a greedy choice. {@link #round} reproduces that conversion exactly (values as
 * llama.cpp's AVX2 build computes them) and returns the activations as the floats they stand for, so the float
 * kernels then compute llama.cpp's sums up to float rounding order.
 *
 * <p>{@link #F32} leaves activations alone: the choice for weights whose reference runs in float (Hugging Face
 * directories, whose reference is PyTorch's float computation).
 */
public enum ActivationFormat {
    /** Float activations, unchanged. */
    F32(1),
    /** Rounded to IEEE half precision (ggml's vec_dot type for F16 weights). */
    F16(1),
    /** Rounded to bfloat16 (for BF16 weights). */
    BF16(1),
    /** ggml {@code block_q8_0}: 32 values, scale {@code amax / 127} stored as fp16, round half to even. */
    Q8_0(32),
    /**
     * ggml {@code block_q8_1}: as Q8_0 plus the block's sum {@code s = fp16(d * sum(q))}, which the Q4_1 and Q5_1
     * dot products use for their min term; see {@link #round}'s {@code sumCorrections}.
     */
    Q8_1(32),
    /** ggml {@code block_q8_K}: 256 values, float scale {@code max / -127} from the signed value of largest magnitude. */
    Q8_K(256);

    /** Values per block; rows must be a multiple of it. */
    public final int blockSize;

    ActivationFormat(int blockSize) {
        this.blockSize = blockSize;
    }

    /** What llama.cpp's CPU backend converts activations to for weights of {@code type} (ggml's vec_dot_type). */
    public static ActivationFormat llamaCpp(GGMLType type) {
        return switch (type) {
            case F16 -> F16;
            case BF16 -> BF16;
            case Q4_0, Q5_0, Q8_0 -> Q8_0;
            case Q4_1, Q5_1 -> Q8_1;
            case Q2_K, Q3_K, Q4_K, Q5_K, Q6_K -> Q8_K;
            default -> F32;
        };
    }

    /**
     * Writes {@code x[xOffset .. xOffset + n)} in this format, decoded back to floats, to {@code out[outOffset ..]}.
     * For {@link #Q8_1}, {@code sumCorrections[corrOffset + b]} receives, for each block {@code b}, the difference
     * between llama.cpp's stored block sum (fp16) and the exact sum of the block's decoded values; the Q4_1/Q5_1 dot
     * adds {@code min * correction} per block (see {@link Tensor#minsDot}). Other formats ignore it (may be null).
     *
     * @throws IllegalArgumentException if {@code n} is not a multiple of {@link #blockSize}
     */
    public void round(float[] x, int xOffset, int n, float[] out, int outOffset, float[] sumCorrections,
                      int corrOffset) {
        if (n % blockSize != 0) {
            throw new IllegalArgumentException(this + " activations need a multiple of " + blockSize + " values, got " + n);
        }
        switch (this) {
            case F32 -> System.arraycopy(x, xOffset, out, outOffset, n);
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[outOffset + i] = fp16(x[xOffset + i]);
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[outOffset + i] = roundToBf16(x[xOffset + i]);
                }
            }
            case Q8_0, Q8_1 -> {
                for (int b = 0; b < n; b += 32) {
                    int oo = outOffset + b;
                    float d = q8Block(x, xOffset + b, out, oo);
                    float stored = fp16(d);
                    int sum = 0;
                    for (int j = 0; j < 32; j++) {
                        sum += (int) out[oo + j];
                        out[oo + j] = stored * out[oo + j];
                    }
                    if (this == Q8_1) {
                        // llama.cpp stores s = fp16(d * sum(q)); the dot's min term uses s, not stored * sum(q)
                        sumCorrections[corrOffset + b / 32] = (float) ((double) fp16(d * sum) - (double) stored * sum);
                    }
                }
            }
            case Q8_K -> {
                for (int b = 0; b < n; b += 256) {
                    int oo = outOffset + b;
                    float d = q8KBlock(x, xOffset + b, out, oo);
                    for (int j = 0; j < 256; j++) {
                        out[oo + j] = d * out[oo + j];
                    }
                }
            }
        }
    }

    /** Whether {@link #quantize} applies: the 8-bit block formats whose values are a scale times an integer. */
    public boolean hasIntegerForm() {
        return this == Q8_0 || this == Q8_K;
    }

    /**
     * The integer form of {@link #round} for {@link #Q8_0} and {@link #Q8_K}: writes the values {@code q} of
     * {@code x[xOffset .. xOffset + n)} (small integers, as floats) to {@code q[qOffset ..]} and each block's scale
     * (as llama.cpp stores it) to {@code scales[sOffset + block]}; {@link #round} writes {@code scale * q}, bit for
     * bit. Integer kernels ({@link Tensor#dotQuantized}) sum {@code w * q} exactly per block and scale once, as
     * llama.cpp does.
     *
     * @throws UnsupportedOperationException for the other formats
     */
    public void quantize(float[] x, int xOffset, int n, float[] q, int qOffset, float[] scales, int sOffset) {
        if (!hasIntegerForm()) {
            throw new UnsupportedOperationException(this + " activations have no integer form");
        }
        if (n % blockSize != 0) {
            throw new IllegalArgumentException(this + " activations need a multiple of " + blockSize + " values, got " + n);
        }
        for (int b = 0; b < n; b += blockSize) {
            scales[sOffset + b / blockSize] = this == Q8_0
                    ? fp16(q8Block(x, xOffset + b, q, qOffset + b))
                    : q8KBlock(x, xOffset + b, q, qOffset + b);
        }
    }

    private static float fp16(float v) {
        return Float.float16ToFloat(Float.floatToFloat16(v));
    }

    /**
     * One block of 32 as ggml's AVX2 {@code quantize_row_q8_0/q8_1}: writes {@code q = rint(x * 127 / amax)} (half to
     * even) and returns {@code d = amax / 127}, which llama.cpp stores as fp16.
     */
    private static float q8Block(float[] x, int xo, float[] q, int qo) {
        float amax = 0;
        for (int j = 0; j < 32; j++) {
            amax = Math.max(amax, Math.abs(x[xo + j]));
        }
        float id = amax != 0 ? 127f / amax : 0f;
        for (int j = 0; j < 32; j++) {
            q[qo + j] = (float) Math.rint(x[xo + j] * id); // _mm256_round_ps(_MM_ROUND_NEAREST): half to even
        }
        return amax / 127f;
    }

    /**
     * One block of 256 as ggml's {@code quantize_row_q8_K_ref}: writes the values {@code q} and returns the float
     * scale {@code d}; values above 127 (only -max maps to +127) clamp.
     */
    private static float q8KBlock(float[] x, int xo, float[] q, int qo) {
        float amax = 0;
        float max = 0;
        for (int j = 0; j < 256; j++) {
            float ax = Math.abs(x[xo + j]);
            if (ax > amax) {
                amax = ax;
                max = x[xo + j];
            }
        }
        if (amax == 0) {
            java.util.Arrays.fill(q, qo, qo + 256, 0f);
            return 0f;
        }
        float iscale = -127f / max;
        for (int j = 0; j < 256; j++) {
            q[qo + j] = Math.min(127, (int) Math.rint(iscale * x[xo + j])); // nearest_int: half to even
        }
        return 1 / iscale;
    }

    /** Rounded to bfloat16 as ggml's {@code GGML_FP32_TO_BF16} does, back as a float. */
    static float roundToBf16(float v) {
        return BFloat16.toFloat(BFloat16.fromFloat(v));
    }
}
