package org.aloe4j.merge;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.aloe4j.formats.BFloat16;
import org.aloe4j.formats.safetensors.SafeTensorsDType;

/**
 * Converts between float32 (the merge arithmetic) and the floating-point element types of safetensors files
 * (F32, F16, BF16), little-endian. Narrowing rounds to nearest, ties to even, as PyTorch's {@code .to(dtype)} does.
 */
final class ElementCodec {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private ElementCodec() {}

    /** True for the element types a merge reads and writes. */
    static boolean isSupported(SafeTensorsDType dtype) {
        return dtype == SafeTensorsDType.F32 || dtype == SafeTensorsDType.F16 || dtype == SafeTensorsDType.BF16;
    }

    /** Widens the BF16 bit pattern {@code bits} to float32 (exact). */
    static float bf16ToFloat(short bits) {
        return BFloat16.toFloat(bits);
    }

    /**
     * Narrows {@code v} to BF16 with round-to-nearest-even: {@code (u + 0x7FFF + ((u >> 16) & 1)) >> 16} on the
     * float32 bits {@code u}; NaN stays a (quiet) NaN instead of rounding into infinity.
     */
    static short floatToBf16(float v) {
        return BFloat16.fromFloat(v);
    }

    /**
     * Reads {@code count} elements of type {@code dtype} starting at element {@code index} of {@code data} into
     * {@code dst[off..]} as float32.
     */
    static void read(MemorySegment data, SafeTensorsDType dtype, long index, float[] dst, int off, int count) {
        switch (dtype) {
            case F32 -> MemorySegment.copy(data, F32, index * 4, dst, off, count);
            case BF16, F16 -> {
                // bulk-copy the 16-bit patterns, then widen in a plain loop the JIT vectorises
                short[] bits = SHORTS.get();
                for (int done = 0; done < count; ) {
                    int n = Math.min(SCRATCH, count - done);
                    MemorySegment.copy(data, I16, (index + done) * 2, bits, 0, n);
                    int o = off + done;
                    if (dtype == SafeTensorsDType.BF16) {
                        for (int i = 0; i < n; i++) {
                            dst[o + i] = Float.intBitsToFloat(bits[i] << 16);
                        }
                    } else {
                        for (int i = 0; i < n; i++) {
                            dst[o + i] = Float.float16ToFloat(bits[i]);
                        }
                    }
                    done += n;
                }
            }
            default -> throw new IllegalArgumentException("not a floating-point element type: " + dtype);
        }
    }

    private static final int SCRATCH = 1 << 14;
    private static final ThreadLocal<short[]> SHORTS = ThreadLocal.withInitial(() -> new short[SCRATCH]);

    /** Encodes {@code src[0..count)} as {@code dtype} into {@code dst} from byte 0; returns the number of bytes. */
    static int write(float[] src, int count, SafeTensorsDType dtype, byte[] dst) {
        MemorySegment out = MemorySegment.ofArray(dst);
        switch (dtype) {
            case F32 -> {
                MemorySegment.copy(src, 0, out, F32, 0, count);
                return count * 4;
            }
            case BF16, F16 -> {
                short[] bits = SHORTS.get();
                for (int done = 0; done < count; ) {
                    int n = Math.min(SCRATCH, count - done);
                    if (dtype == SafeTensorsDType.BF16) {
                        for (int i = 0; i < n; i++) {
                            bits[i] = floatToBf16(src[done + i]);
                        }
                    } else {
                        for (int i = 0; i < n; i++) {
                            bits[i] = Float.floatToFloat16(src[done + i]);
                        }
                    }
                    MemorySegment.copy(bits, 0, out, I16, 2L * done, n);
                    done += n;
                }
                return count * 2;
            }
            default -> throw new IllegalArgumentException("not a floating-point element type: " + dtype);
        }
    }
}
