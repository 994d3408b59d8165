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

    /**
     * The same from the 12 bytes already loaded as {@code low} (bytes 0..7, little-endian) and {@code high} (bytes
     * 8..11), so that a kernel reads the scales with two loads per block.
     */
    static int scale(long low, int high, int j) {
        if (j < 4) {
            return (int) (low >>> (8 * j)) & 63;
        }
        int nibbles = high >>> (8 * (j - 4));
        return (nibbles & 0x0F) | (((int) (low >>> (8 * (j - 4))) >>> 6 & 3) << 4);
    }

    static int min(long low, int high, int j) {
        if (j < 4) {
            return (int) (low >>> (8 * (j + 4))) & 63;
        }
        int nibbles = high >>> (8 * (j - 4));
        return (nibbles >>> 4 & 0x0F) | (((int) (low >>> (8 * j)) >>> 6 & 3) << 4);
    }
}
