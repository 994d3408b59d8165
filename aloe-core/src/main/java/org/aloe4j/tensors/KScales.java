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

    /**
     * All eight scales at once, byte {@code j} = {@link #scale(long, int, int) scale(low, high, j)}: a few word
     * operations (as llama.cpp's {@code utmp} shuffle) instead of eight extractions.
     */
    static long scales(long low, int high) {
        int u0 = (int) low;
        return (u0 & 0x3F3F3F3FL) | (long) ((high & 0x0F0F0F0F) | (((u0 >>> 6) & 0x03030303) << 4)) << 32;
    }

    /** All eight mins at once, byte {@code j} = {@link #min(long, int, int) min(low, high, j)}. */
    static long mins(long low, int high) {
        int u1 = (int) (low >>> 32);
        return (u1 & 0x3F3F3F3FL) | (long) (((high >>> 4) & 0x0F0F0F0F) | (((u1 >>> 6) & 0x03030303) << 4)) << 32;
    }
}
