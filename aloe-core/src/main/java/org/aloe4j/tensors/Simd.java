package org.aloe4j.tensors;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector shapes every kernel uses, chosen once per JVM, and the little-endian layouts of the weight files.
 *
 * <p>The kernels decode blocks of 16/32 values into {@link #LANES} float lanes at a time, loading exactly
 * {@link #LANES} bytes (or shorts) so that every byte-to-float conversion keeps its lane count (which the JIT turns
 * into a single widening instruction). That works for 8 lanes (256-bit floats, 64-bit bytes) and 16 lanes (512-bit
 * floats, 128-bit bytes). Other machines (128-bit vectors) use the scalar path in {@link Tensor}. The system
 * property {@code aloe.vector.bits} (0, 256 or 512) overrides the choice; tests use it to check both shapes.
 */
final class Simd {
    private Simd() {}

    static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** Width of the float vectors in bits: 512, 256, or 0 when the vector kernels are off. */
    static final int BITS = chooseBits();
    /** True when the vector kernels run; false means the scalar fallback of {@link Tensor}. */
    static final boolean ENABLED = BITS != 0;
    /** Float lanes per vector (1 when the vector kernels are off). */
    static final int LANES = ENABLED ? BITS / 32 : 1;

    static final VectorSpecies<Float> F = FloatVector.SPECIES_256.withShape(shape(BITS == 0 ? 256 : BITS));
    /** Same lane count as {@link #F}. */
    static final VectorSpecies<Integer> I = IntVector.SPECIES_256.withShape(F.vectorShape());
    static final VectorSpecies<Short> S = ShortVector.SPECIES_128.withShape(shape(F.vectorBitSize() / 2));
    static final VectorSpecies<Byte> B = ByteVector.SPECIES_64.withShape(shape(F.vectorBitSize() / 4));

    /** 0, 1, ..., 63: lane indices for variable shifts. */
    static final int[] IOTA = new int[64];

    static {
        for (int i = 0; i < IOTA.length; i++) {
            IOTA[i] = i;
        }
    }

    private static VectorShape shape(int bits) {
        return VectorShape.forBitSize(bits);
    }

    private static int chooseBits() {
        String forced = System.getProperty("aloe.vector.bits");
        if (forced != null && !forced.isBlank()) {
            int bits = Integer.parseInt(forced.trim());
            if (bits != 0 && bits != 256 && bits != 512) {
                throw new IllegalArgumentException("aloe.vector.bits must be 0, 256 or 512, not " + bits);
            }
            return bits;
        }
        int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        return preferred >= 512 ? 512 : preferred >= 256 ? 256 : 0;
    }

    /** An IEEE half-precision value (the raw little-endian 16 bits at {@code offset}) as a float, exactly. */
    static float f16(MemorySegment data, long offset) {
        return Float.float16ToFloat(data.get(LE_SHORT, offset));
    }

    /** Unsigned byte at {@code offset}. */
    static int u8(MemorySegment data, long offset) {
        return data.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }

    /** Signed byte at {@code offset}. */
    static int s8(MemorySegment data, long offset) {
        return data.get(ValueLayout.JAVA_BYTE, offset);
    }

    static FloatVector bytesToFloats(ByteVector v) {
        return (FloatVector) v.convertShape(VectorOperators.B2F, F, 0);
    }

    static IntVector bytesToInts(ByteVector v) {
        return (IntVector) v.convertShape(VectorOperators.B2I, I, 0);
    }

    /**
     * Each byte shifted right by {@code n} (0..7) with bits of its upper neighbour coming in at the top: the caller
     * masks them off. Done in 16-bit lanes because x86 has no byte shifts (a byte-lane shift is emulated slowly).
     */
    static ByteVector shiftRightBytes(ByteVector v, int n) {
        return v.reinterpretAsShorts().lanewise(VectorOperators.LSHR, n).reinterpretAsBytes();
    }

    /** Each byte shifted left by {@code n} with bits of its lower neighbour coming in at the bottom (to be masked). */
    static ByteVector shiftLeftBytes(ByteVector v, int n) {
        return v.reinterpretAsShorts().lanewise(VectorOperators.LSHL, n).reinterpretAsBytes();
    }

    static ByteVector loadBytes(MemorySegment data, long offset) {
        return ByteVector.fromMemorySegment(B, data, offset, LE);
    }

    /**
     * {@link #LANES} IEEE half-precision values as floats, exactly as {@link Float#float16ToFloat} converts them
     * (subnormals, infinities, and NaNs quieted with their payload kept). The magnitude bits shifted into float position and scaled
     * by 2^112 re-bias the exponent; a power-of-two scale is exact, also for half subnormals.
     */
    static FloatVector halfToFloat(ShortVector halves) {
        IntVector h = ((IntVector) halves.convertShape(VectorOperators.S2I, I, 0)).and(0xFFFF);
        IntVector magnitude = h.and(0x7FFF);
        IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
        IntVector scaled = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
        VectorMask<Integer> infOrNaN = magnitude.compare(VectorOperators.GE, 0x7C00);
        VectorMask<Integer> nan = magnitude.compare(VectorOperators.GT, 0x7C00);
        // exponent all ones; a NaN also gets the quiet bit, as float16ToFloat (and x86 vcvtph2ps) does
        IntVector bits = scaled.blend(shifted.or(0x7F800000), infOrNaN).blend(shifted.or(0x7FC00000), nan);
        return bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }

    /** {@link #LANES} bfloat16 values as floats (exact: bf16 is the upper half of a float). */
    static FloatVector bf16ToFloat(ShortVector halves) {
        IntVector h = (IntVector) halves.convertShape(VectorOperators.S2I, I, 0);
        return h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }
}
