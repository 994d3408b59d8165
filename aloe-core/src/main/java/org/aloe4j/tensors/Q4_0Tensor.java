package org.aloe4j.tensors;

import static org.aloe4j.tensors.Simd.F;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import org.aloe4j.formats.gguf.GGMLType;

/**
 * ggml {@code block_q4_0}: 32 values in 18 bytes, {@code d} (fp16) then 16 bytes {@code qs}; value {@code j < 16} is
 * the low nibble of {@code qs[j]}, value {@code j + 16} its high nibble; {@code w = (nibble - 8) * d}.
 */
public final class Q4_0Tensor extends Tensor {
    private static final int BLOCK = 32;
    private static final int BLOCK_BYTES = 18;

    public Q4_0Tensor(String name, MemorySegment data, long rows, int cols) {
        super(name, GGMLType.Q4_0, data, rows, cols);
    }

    @Override
    protected void dequantizeBlock(long offset, float[] out, int outOffset) {
        MemorySegment data = data();
        float d = Simd.f16(data, offset);
        for (int j = 0; j < 16; j++) {
            int q = Simd.u8(data, offset + 2 + j);
            out[outOffset + j] = ((q & 0x0F) - 8) * d;
            out[outOffset + j + 16] = ((q >>> 4) - 8) * d;
        }
    }

    @Override
    protected void decodeBlocks(long offset, int blocks, float[] out, int outOffset) {
        if (!Simd.ENABLED) {
            super.decodeBlocks(offset, blocks, out, outOffset);
            return;
        }
        MemorySegment data = data();
        int lanes = F.length();
        for (int b = 0; b < blocks; b++, offset += BLOCK_BYTES, outOffset += BLOCK) {
            FloatVector d = FloatVector.broadcast(F, Simd.f16(data, offset));
            for (int j = 0; j < 16; j += lanes) {
                ByteVector q = Simd.loadBytes(data, offset + 2 + j);
                Simd.bytesToFloats(q.and((byte) 0x0F).sub((byte) 8)).mul(d).intoArray(out, outOffset + j);
                Simd.bytesToFloats(Simd.shiftRightBytes(q, 4).and((byte) 0x0F).sub((byte) 8)).mul(d)
                        .intoArray(out, outOffset + 16 + j);
            }
        }
    }

    @Override
    public float dot(long row, float[] x, int xOffset) {
        if (!Simd.ENABLED) {
            return dotScalar(row, x, xOffset);
        }
        if (F.length() == 16) {
            return dot16(row, x, xOffset);
        }
        long offset = rowOffsetForDot(row, x, xOffset);
        MemorySegment data = data();
        int lanes = F.length();
        int blocks = cols() / BLOCK;
        // one method with no vector-typed helper: a helper that C2 compiled on its own first ("already compiled into
        // a big method") is not inlined, and vectors crossing that call are boxed on the heap (10x slower)
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, offset += BLOCK_BYTES, xOffset += BLOCK) {
            FloatVector sum = FloatVector.zero(F);
            for (int j = 0; j < 16; j += lanes) {
                ByteVector q = Simd.loadBytes(data, offset + 2 + j);
                FloatVector lo = Simd.bytesToFloats(q.and((byte) 0x0F).sub((byte) 8));
                FloatVector hi = Simd.bytesToFloats(Simd.shiftRightBytes(q, 4).and((byte) 0x0F).sub((byte) 8));
                sum = lo.fma(FloatVector.fromArray(F, x, xOffset + j), sum);
                sum = hi.fma(FloatVector.fromArray(F, x, xOffset + j + 16), sum);
            }
            acc = sum.fma(FloatVector.broadcast(F, Simd.f16(data, offset)), acc);
        }
        return VectorSums.ordered(acc);
    }

    /**
     * {@link #dot} with 16 float lanes (one block half per vector): the same float operations, with each nibble
     * turned into the float {@code nibble - 8} by one lane permutation of a 16-entry table (selectFrom wraps the index
     * to its low 4 bits, which is the nibble) instead of mask, subtract, widen and convert. The first product is a
     * plain multiply where {@link #dot4} adds it to zero: that changes at most the sign of a zero, which the later
     * additions erase (the accumulator starts at +0 and never becomes -0), so the results are the same bit for bit.
     * The one accumulator chain (one dependent FMA per block) is what bounds this kernel now.
     */
    private float dot16(long row, float[] x, int xOffset) {
        long offset = rowOffsetForDot(row, x, xOffset);
        MemorySegment data = data();
        int blocks = cols() / BLOCK;
        IntVector table = IntVector.fromArray(Simd.I, NIBBLE_FLOAT_BITS, 0);
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, offset += BLOCK_BYTES, xOffset += BLOCK) {
            IntVector q = Simd.bytesToInts(Simd.loadBytes(data, offset + 2));
            FloatVector lo = q.selectFrom(table).reinterpretAsFloats();
            FloatVector hi = q.lanewise(VectorOperators.LSHR, 4).selectFrom(table).reinterpretAsFloats();
            FloatVector sum = lo.mul(FloatVector.fromArray(F, x, xOffset));
            sum = hi.fma(FloatVector.fromArray(F, x, xOffset + 16), sum);
            acc = sum.fma(FloatVector.broadcast(F, Simd.f16(data, offset)), acc);
        }
        return VectorSums.ordered(acc);
    }

    @Override
    public ActivationFormat integerActivations() {
        return ActivationFormat.Q8_0;
    }

    /**
     * Per block {@code (d_w * d_a) * sum((nibble - 8) * q)}, as llama.cpp: the 32 products are small integers and each
     * lane's partial sum is exact in float, so only the block scaling and the sum over blocks round. One accumulator:
     * four round-robin accumulators measured no faster (the kernel is bound by instruction throughput, not latency).
     */
    @Override
    public float dotQuantized(long row, QuantizedActivations a, int i) {
        long offset = checkQuantized(row, a, i);
        MemorySegment data = data();
        float[] q = a.q, scales = a.scales;
        int qo = a.qOffset(i), so = a.scaleOffset(i);
        int lanes = F.length();
        int blocks = cols() / BLOCK;
        FloatVector acc = FloatVector.zero(F);
        if (lanes == 16) {
            // one lane permutation of a 16-entry table turns a nibble into the float nibble - 8 (see dot16)
            IntVector table = IntVector.fromArray(Simd.I, NIBBLE_FLOAT_BITS, 0);
            for (int b = 0; b < blocks; b++, offset += BLOCK_BYTES, qo += BLOCK) {
                IntVector n = Simd.bytesToInts(Simd.loadBytes(data, offset + 2));
                FloatVector lo = n.selectFrom(table).reinterpretAsFloats();
                FloatVector hi = n.lanewise(VectorOperators.LSHR, 4).selectFrom(table).reinterpretAsFloats();
                FloatVector sum = hi.fma(FloatVector.fromArray(F, q, qo + 16), lo.mul(FloatVector.fromArray(F, q, qo)));
                acc = sum.fma(FloatVector.broadcast(F, Simd.f16(data, offset) * scales[so + b]), acc);
            }
        } else {
            for (int b = 0; b < blocks; b++, offset += BLOCK_BYTES, qo += BLOCK) {
                FloatVector sum = FloatVector.zero(F);
                for (int j = 0; j < 16; j += lanes) {
                    ByteVector n = Simd.loadBytes(data, offset + 2 + j);
                    FloatVector lo = Simd.bytesToFloats(n.and((byte) 0x0F).sub((byte) 8));
                    FloatVector hi = Simd.bytesToFloats(Simd.shiftRightBytes(n, 4).and((byte) 0x0F).sub((byte) 8));
                    sum = lo.fma(FloatVector.fromArray(F, q, qo + j), sum);
                    sum = hi.fma(FloatVector.fromArray(F, q, qo + j + 16), sum);
                }
                acc = sum.fma(FloatVector.broadcast(F, Simd.f16(data, offset) * scales[so + b]), acc);
            }
        }
        return VectorSums.ordered(acc);
    }

    /**
     * {@link #dotQuantized} for four activation rows, each weight vector decoded once. The block sums are exact, so
     * decoding by mask and convert gives the same values as the table; per row the same scaling, accumulators and
     * reduction.
     */
    @Override
    protected void dot4Quantized(long offset, QuantizedActivations a, int i0, int i1, int i2, int i3, float[] out,
            int o0, int o1, int o2, int o3, float[] reduce) {
        MemorySegment data = data();
        float[] q = a.q, scales = a.scales;
        int q0 = a.qOffset(i0), q1 = a.qOffset(i1), q2 = a.qOffset(i2), q3 = a.qOffset(i3);
        int s0 = a.scaleOffset(i0), s1 = a.scaleOffset(i1), s2 = a.scaleOffset(i2), s3 = a.scaleOffset(i3);
        int lanes = F.length();
        int blocks = cols() / BLOCK;
        FloatVector zero = FloatVector.zero(F);
        FloatVector acc0 = zero, acc1 = zero, acc2 = zero, acc3 = zero;
        for (int b = 0, qb = 0; b < blocks; b++, offset += BLOCK_BYTES, qb += BLOCK) {
            FloatVector sum0 = zero, sum1 = zero, sum2 = zero, sum3 = zero;
            for (int j = 0; j < 16; j += lanes) {
                ByteVector n = Simd.loadBytes(data, offset + 2 + j);
                FloatVector lo = Simd.bytesToFloats(n.and((byte) 0x0F).sub((byte) 8));
                FloatVector hi = Simd.bytesToFloats(Simd.shiftRightBytes(n, 4).and((byte) 0x0F).sub((byte) 8));
                int qj = qb + j;
                sum0 = hi.fma(FloatVector.fromArray(F, q, q0 + qj + 16), lo.fma(FloatVector.fromArray(F, q, q0 + qj), sum0));
                sum1 = hi.fma(FloatVector.fromArray(F, q, q1 + qj + 16), lo.fma(FloatVector.fromArray(F, q, q1 + qj), sum1));
                sum2 = hi.fma(FloatVector.fromArray(F, q, q2 + qj + 16), lo.fma(FloatVector.fromArray(F, q, q2 + qj), sum2));
                sum3 = hi.fma(FloatVector.fromArray(F, q, q3 + qj + 16), lo.fma(FloatVector.fromArray(F, q, q3 + qj), sum3));
            }
            float d = Simd.f16(data, offset);
            acc0 = sum0.fma(FloatVector.broadcast(F, d * scales[s0 + b]), acc0);
            acc1 = sum1.fma(FloatVector.broadcast(F, d * scales[s1 + b]), acc1);
            acc2 = sum2.fma(FloatVector.broadcast(F, d * scales[s2 + b]), acc2);
            acc3 = sum3.fma(FloatVector.broadcast(F, d * scales[s3 + b]), acc3);
        }
        acc0.intoArray(reduce, 0);
        acc1.intoArray(reduce, lanes);
        acc2.intoArray(reduce, 2 * lanes);
        acc3.intoArray(reduce, 3 * lanes);
        reduceGroup(reduce, out, o0, o1, o2, o3);
    }

    @Override
    protected boolean hasTileKernel() {
        return F.length() == 16;
    }

    /**
     * {@link #dotQuantized} for two weight rows x four activation rows (see {@link Q8_0Tensor#tile2x4Quantized}):
     * nibbles decoded by the same table, each pair given the same operations as alone.
     */
    @Override
    protected void tile2x4Quantized(long offset0, long offset1, QuantizedActivations a, int i0, int i1, int i2,
            int i3, float[] out, int o0, int o1, int o2, int o3, float[] reduce) {
        MemorySegment data = data();
        float[] q = a.q, scales = a.scales;
        int q0 = a.qOffset(i0), q1 = a.qOffset(i1), q2 = a.qOffset(i2), q3 = a.qOffset(i3);
        int s0 = a.scaleOffset(i0), s1 = a.scaleOffset(i1), s2 = a.scaleOffset(i2), s3 = a.scaleOffset(i3);
        int blocks = cols() / BLOCK;
        IntVector table = IntVector.fromArray(Simd.I, NIBBLE_FLOAT_BITS, 0);
        FloatVector zero = FloatVector.zero(F);
        FloatVector c00 = zero, c01 = zero, c02 = zero, c03 = zero, c10 = zero, c11 = zero, c12 = zero, c13 = zero;
        for (int b = 0; b < blocks; b++) {
            long w0 = offset0 + (long) b * BLOCK_BYTES, w1 = offset1 + (long) b * BLOCK_BYTES;
            int qb = b * BLOCK;
            IntVector n0 = Simd.bytesToInts(Simd.loadBytes(data, w0 + 2));
            IntVector n1 = Simd.bytesToInts(Simd.loadBytes(data, w1 + 2));
            FloatVector w0l = n0.selectFrom(table).reinterpretAsFloats();
            FloatVector w0h = n0.lanewise(VectorOperators.LSHR, 4).selectFrom(table).reinterpretAsFloats();
            FloatVector w1l = n1.selectFrom(table).reinterpretAsFloats();
            FloatVector w1h = n1.lanewise(VectorOperators.LSHR, 4).selectFrom(table).reinterpretAsFloats();
            float d0 = Simd.f16(data, w0), d1 = Simd.f16(data, w1);
            FloatVector lo = FloatVector.fromArray(F, q, q0 + qb), hi = FloatVector.fromArray(F, q, q0 + qb + 16);
            float s = scales[s0 + b];
            c00 = w0h.fma(hi, w0l.mul(lo)).fma(FloatVector.broadcast(F, d0 * s), c00);
            c10 = w1h.fma(hi, w1l.mul(lo)).fma(FloatVector.broadcast(F, d1 * s), c10);
            lo = FloatVector.fromArray(F, q, q1 + qb);
            hi = FloatVector.fromArray(F, q, q1 + qb + 16);
            s = scales[s1 + b];
            c01 = w0h.fma(hi, w0l.mul(lo)).fma(FloatVector.broadcast(F, d0 * s), c01);
            c11 = w1h.fma(hi, w1l.mul(lo)).fma(FloatVector.broadcast(F, d1 * s), c11);
            lo = FloatVector.fromArray(F, q, q2 + qb);
            hi = FloatVector.fromArray(F, q, q2 + qb + 16);
            s = scales[s2 + b];
            c02 = w0h.fma(hi, w0l.mul(lo)).fma(FloatVector.broadcast(F, d0 * s), c02);
            c12 = w1h.fma(hi, w1l.mul(lo)).fma(FloatVector.broadcast(F, d1 * s), c12);
            lo = FloatVector.fromArray(F, q, q3 + qb);
            hi = FloatVector.fromArray(F, q, q3 + qb + 16);
            s = scales[s3 + b];
            c03 = w0h.fma(hi, w0l.mul(lo)).fma(FloatVector.broadcast(F, d0 * s), c03);
            c13 = w1h.fma(hi, w1l.mul(lo)).fma(FloatVector.broadcast(F, d1 * s), c13);
        }
        c00.intoArray(reduce, 0);
        c01.intoArray(reduce, 16);
        c02.intoArray(reduce, 32);
        c03.intoArray(reduce, 48);
        c10.intoArray(reduce, 64);
        c11.intoArray(reduce, 80);
        c12.intoArray(reduce, 96);
        c13.intoArray(reduce, 112);
        reduceTile(reduce, out, o0, o1, o2, o3);
    }

    /** Float bits of {@code nibble - 8} for nibble 0..15. */
    private static final int[] NIBBLE_FLOAT_BITS = new int[16];

    static {
        for (int n = 0; n < 16; n++) {
            NIBBLE_FLOAT_BITS[n] = Float.floatToRawIntBits(n - 8);
        }
    }

    @Override
    protected boolean hasBatchedKernel() {
        return true;
    }

    /** {@link #dot} for four activation rows, each weight vector decoded once: per row the same operations. */
    @Override
    protected void dot4(long offset, float[] x, int x0, int x1, int x2, int x3, float[] out, int o0, int o1, int o2,
            int o3, float[] reduce) {
        MemorySegment data = data();
        int lanes = F.length();
        int blocks = cols() / BLOCK;
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        for (int b = 0, xb = 0; b < blocks; b++, offset += BLOCK_BYTES, xb += BLOCK) {
            FloatVector sum0 = FloatVector.zero(F), sum1 = sum0, sum2 = sum0, sum3 = sum0;
            for (int j = 0; j < 16; j += lanes) {
                ByteVector q = Simd.loadBytes(data, offset + 2 + j);
                FloatVector lo = Simd.bytesToFloats(q.and((byte) 0x0F).sub((byte) 8));
                FloatVector hi = Simd.bytesToFloats(Simd.shiftRightBytes(q, 4).and((byte) 0x0F).sub((byte) 8));
                int xj = xb + j;
                sum0 = hi.fma(FloatVector.fromArray(F, x, x0 + xj + 16),
                        lo.fma(FloatVector.fromArray(F, x, x0 + xj), sum0));
                sum1 = hi.fma(FloatVector.fromArray(F, x, x1 + xj + 16),
                        lo.fma(FloatVector.fromArray(F, x, x1 + xj), sum1));
                sum2 = hi.fma(FloatVector.fromArray(F, x, x2 + xj + 16),
                        lo.fma(FloatVector.fromArray(F, x, x2 + xj), sum2));
                sum3 = hi.fma(FloatVector.fromArray(F, x, x3 + xj + 16),
                        lo.fma(FloatVector.fromArray(F, x, x3 + xj), sum3));
            }
            FloatVector d = FloatVector.broadcast(F, Simd.f16(data, offset));
            acc0 = sum0.fma(d, acc0);
            acc1 = sum1.fma(d, acc1);
            acc2 = sum2.fma(d, acc2);
            acc3 = sum3.fma(d, acc3);
        }
        acc0.intoArray(reduce, 0);
        acc1.intoArray(reduce, lanes);
        acc2.intoArray(reduce, 2 * lanes);
        acc3.intoArray(reduce, 3 * lanes);
        reduceGroup(reduce, out, o0, o1, o2, o3);
    }
}
