package org.aloe4j.quantize;

import java.util.Objects;
import org.aloe4j.formats.gguf.GGMLType;

/**
 * Turns float values into the blocks of one ggml storage type, the inverse of the tensors layer's
 * {@code dequantizeRow}. Each implementation follows llama.cpp's reference quantizer for its type
 * ({@code quantize_row_*_ref} in ggml-quants.c, the path llama-quantize takes without an importance matrix), so that
 * the blocks are the ones llama.cpp would write for the same floats.
 *
 * <p>Implementations are stateless and safe to share between threads.
 */
public interface Quantizer {

    /** The ggml type this quantizer writes. */
    GGMLType type();

    /**
     * Quantizes {@code count} values {@code src[srcOffset ..]} (a multiple of the type's block size) into
     * {@code type().bytesFor(count)} bytes at {@code dst[dstOffset ..]}, little-endian, block after block.
     *
     * @throws IllegalArgumentException when count is not a whole number of blocks
     * @throws IndexOutOfBoundsException when either range does not fit its array
     */
    void quantize(float[] src, int srcOffset, int count, byte[] dst, int dstOffset);

    /** Quantizes all of {@code src} into a new array. */
    default byte[] quantize(float[] src) {
        long bytes = type().bytesFor(src.length);
        if (bytes < 0) {
            throw new IllegalArgumentException(src.length + " values are not a whole number of " + type()
                    + " blocks of " + type().blockSize);
        }
        byte[] out = new byte[Math.toIntExact(bytes)];
        quantize(src, 0, src.length, out, 0);
        return out;
    }

    /** Whether {@link #forType} has a quantizer for this type. */
    static boolean isSupported(GGMLType type) {
        return switch (type) {
            case F32, F16, BF16, Q8_0, Q4_0, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K -> true;
            default -> false;
        };
    }

    /**
     * The quantizer for {@code type}.
     *
     * @throws IllegalArgumentException when the type has none (see {@link #isSupported})
     */
    static Quantizer forType(GGMLType type) {
        Objects.requireNonNull(type, "type");
        return switch (type) {
            case F32 -> F32Quantizer.INSTANCE;
            case F16 -> F16Quantizer.INSTANCE;
            case BF16 -> BF16Quantizer.INSTANCE;
            case Q8_0 -> Q8_0Quantizer.INSTANCE;
            case Q4_0 -> Q4_0Quantizer.INSTANCE;
            case Q5_0 -> Q5_0Quantizer.INSTANCE;
            case Q5_1 -> Q5_1Quantizer.INSTANCE;
            case Q4_K -> Q4_KQuantizer.INSTANCE;
            case Q5_K -> Q5_KQuantizer.INSTANCE;
            case Q6_K -> Q6_KQuantizer.INSTANCE;
            default -> throw new IllegalArgumentException("no quantizer for " + type
                    + " (supported: F32, F16, BF16, Q8_0, Q4_0, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K)");
        };
    }
}
