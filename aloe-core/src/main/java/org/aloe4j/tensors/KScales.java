package org.aloe4j.tensors;

import java.lang.foreign.MemorySegment;

/**
 * The 12-byte packed scales of Q4_K and Q5_K (ggml {@code get_scale_min_k4}): eight 6-bit scales and eight 6-bit
 * mins. Sub-block {@code j < 4} keeps both in the low 6 bits of bytes {@code j} and {@code j + 4}; sub-block
 * {@code j >= 4} takes its low 4 bits from the nibbles of byte {@code j + 4} and its top 2 bits from the top bits of
 * bytes {@code j - 4} (scale) and {@code j} (min).
 */
final class KScales {
    private KScales() {}

    static int scale(MemorySegment data, long scales, int j) {
        if (j < 4) {
            return Simd.u8(data, scales + j) & 63;
        }
        return (Simd.u8(data, scales + j + 4) & 0x0F) | ((Simd.u8(data, scales + j - 4) >>> 6) << 4);
    }

    static int min(MemorySegment data, long scales, int j) {
        if (j < 4) {
            return Simd.u8(data, scales + j + 4) & 63;
        }
        return (Simd.u8(data, scales + j + 4) >>> 4) | ((Simd.u8(data, scales + j) >>> 6) << 4);
    }
}
