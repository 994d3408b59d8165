package org.aloe4j.tensors;

import static org.aloe4j.tensors.Simd.F;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import org.aloe4j.formats.gguf.GGMLType;

/**
 * ggml {@code block_q4_K}: 256 values in 144 bytes: {@code d}, {@code dmin} (fp16), 12 bytes of packed 6-bit
 * scales and mins ({@link KScales}), 128 bytes {@code qs}. Chunk {@code c} (64 values) reads {@code qs[32c ..
 * 32c+32)}: its first 32 values are the low nibbles (sub-block {@code 2c}), the next 32 the high nibbles (sub-block
 * {@code 2c+1}); {@code w = (d * scale) * q - dmin * min}.
 */
public final class Q4_KTensor extends Tensor {
    private static final int BLOCK = 256;
    private static final int BLOCK_BYTES = 144;

    public Q4_KTensor(String name, MemorySegment data, long rows, int cols) {
        super(name, GGMLType.Q4_K, data, rows, cols);
    }

    @Override
    protected void dequantizeBlock(long offset, float[] out, int outOffset) {
        MemorySegment data = data();
        float d = Simd.f16(data, offset);
        float dmin = Simd.f16(data, offset + 2);
        long scales = offset + 4;
        for (int c = 0; c < 4; c++) {
            float d1 = d * KScales.scale(data, scales, 2 * c);
            float m1 = dmin * KScales.min(data, scales, 2 * c);
            float d2 = d * KScales.scale(data, scales, 2 * c + 1);
            float m2 = dmin * KScales.min(data, scales, 2 * c + 1);
            long qs = offset + 16 + 32 * c;
            int o = outOffset + 64 * c;
            for (int l = 0; l < 32; l++) {
                int q = Simd.u8(data, qs + l);
                out[o + l] = d1 * (q & 0x0F) - m1;
                out[o + 32 + l] = d2 * (q >>> 4) - m2;
            }
        }
    }

    @Override
    protected void decodeBlocks(long offset, int blocks, float[] out, int outOffset) {
        if (!Simd.ENABLED) {
            super.decodeBlocks(offset, blocks, out, outOffset);
            return;
        }
        MemorySegment data = data();
        for (int b = 0; b < blocks; b++, offset += BLOCK_BYTES, outOffset += BLOCK) {
            float d = Simd.f16(data, offset);
            float dmin = Simd.f16(data, offset + 2);
            long scalesLow = data.get(Simd.LE_LONG, offset + 4);
            int scalesHigh = data.get(Simd.LE_INT, offset + 12);
            for (int c = 0; c < 4; c++) {
                decodeChunk(data, offset + 16 + 32 * c, d, dmin, scalesLow, scalesHigh, c, out, outOffset + 64 * c);
            }
        }
    }

    /** 64 values (two sub-blocks) as fma(q, d * scale, -dmin * min), which rounds once like the reference. */
    private static void decodeChunk(MemorySegment data, long qs, float d, float dmin, long scalesLow,
            int scalesHigh, int c, float[] out, int o) {
        int lanes = F.length();
        FloatVector d1 = FloatVector.broadcast(F, d * KScales.scale(scalesLow, scalesHigh, 2 * c));
        FloatVector m1 = FloatVector.broadcast(F, -(dmin * KScales.min(scalesLow, scalesHigh, 2 * c)));
        FloatVector d2 = FloatVector.broadcast(F, d * KScales.scale(scalesLow, scalesHigh, 2 * c + 1));
        FloatVector m2 = FloatVector.broadcast(F, -(dmin * KScales.min(scalesLow, scalesHigh, 2 * c + 1)));
        for (int l = 0; l < 32; l += lanes) {
            ByteVector q = Simd.loadBytes(data, qs + l);
            Simd.bytesToFloats(q.and((byte) 0x0F)).fma(d1, m1).intoArray(out, o + l);
            Simd.bytesToFloats(Simd.shiftRightBytes(q, 4).and((byte) 0x0F)).fma(d2, m2).intoArray(out, o + 32 + l);
        }
    }

    @Override
    public float dot(long row, float[] x, int xOffset) {
        if (!Simd.ENABLED) {
            return dotScalar(row, x, xOffset);
        }
        long offset = rowOffsetForDot(row, x, xOffset);
        MemorySegment data = data();
        int lanes = F.length();
        int blocks = cols() / BLOCK;
        // weights by fma(q, d*scale, -dmin*min): d * scale * q is exact (11 + 6 + 4 bits), so this rounds once like
        // the reference: the weights are bit-exact and only the accumulation order differs
        FloatVector accLo = FloatVector.zero(F), accHi = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, offset += BLOCK_BYTES, xOffset += BLOCK) {
            float d = Simd.f16(data, offset);
            float dmin = Simd.f16(data, offset + 2);
            long scalesLow = data.get(Simd.LE_LONG, offset + 4);
            int scalesHigh = data.get(Simd.LE_INT, offset + 12);
            for (int c = 0; c < 4; c++) {
                FloatVector d1 = FloatVector.broadcast(F, d * KScales.scale(scalesLow, scalesHigh, 2 * c));
                FloatVector m1 = FloatVector.broadcast(F, -(dmin * KScales.min(scalesLow, scalesHigh, 2 * c)));
                FloatVector d2 = FloatVector.broadcast(F, d * KScales.scale(scalesLow, scalesHigh, 2 * c + 1));
                FloatVector m2 = FloatVector.broadcast(F, -(dmin * KScales.min(scalesLow, scalesHigh, 2 * c + 1)));
                long qs = offset + 16 + 32 * c;
                int xo = xOffset + 64 * c;
                for (int l = 0; l < 32; l += lanes) {
                    ByteVector q = Simd.loadBytes(data, qs + l);
                    FloatVector lo = Simd.bytesToFloats(q.and((byte) 0x0F)).fma(d1, m1);
                    FloatVector hi = Simd.bytesToFloats(Simd.shiftRightBytes(q, 4).and((byte) 0x0F)).fma(d2, m2);
                    accLo = lo.fma(FloatVector.fromArray(F, x, xo + l), accLo);
                    accHi = hi.fma(FloatVector.fromArray(F, x, xo + 32 + l), accHi);
                }
            }
        }
        return VectorSums.ordered(accLo.add(accHi));
    }

    @Override
    public ActivationFormat integerActivations() {
        return ActivationFormat.Q8_K;
    }

    /** Float bits of 0..15, the values of a nibble. */
    private static final int[] NIBBLE_FLOAT_BITS = new int[16];

    static {
        for (int n = 0; n < 16; n++) {
            NIBBLE_FLOAT_BITS[n] = Float.floatToRawIntBits(n);
        }
    }

    /**
     * Per block, as llama.cpp: {@code (d_w * d_a) * sum(scale * q4 * q8) - (dmin_w * d_a) * sum(min * bsum)}, where
     * {@code bsum} is the sum of {@code q8} over a sub-block ({@link QuantizedActivations} keeps it). Each lane's partial
     * sum of a block is an integer below 2^24 in magnitude (8 products of at most 63 * 15 * 127 per lane and half),
     * exact in float, as is the min sum; only the block scalings and the sums over blocks round.
     */
    @Override
    public float dotQuantized(long row, QuantizedActivations a, int i) {
        long offset = checkQuantized(row, a, i);
        MemorySegment data = data();
        float[] x = a.q, xScales = a.scales, sums = a.sums32;
        int xOffset = a.qOffset(i), so = a.scaleOffset(i), sumOffset = a.sumOffset(i);
        int lanes = F.length();
        int blocks = cols() / BLOCK;
        if (lanes == 16) {
            return dotQuantized16(data, offset, x, xOffset, xScales, so, sums, sumOffset, blocks);
        }
        FloatVector acc = FloatVector.zero(F);
        float minAcc = 0;
        for (int b = 0; b < blocks; b++, offset += BLOCK_BYTES, xOffset += BLOCK, sumOffset += 8) {
            long scalesLow = data.get(Simd.LE_LONG, offset + 4);
            int scalesHigh = data.get(Simd.LE_INT, offset + 12);
            FloatVector sumLo = FloatVector.zero(F), sumHi = sumLo;
            float mins = 0;
            for (int c = 0; c < 4; c++) {
                FloatVector s1 = FloatVector.broadcast(F, (float) KScales.scale(scalesLow, scalesHigh, 2 * c));
                FloatVector s2 = FloatVector.broadcast(F, (float) KScales.scale(scalesLow, scalesHigh, 2 * c + 1));
                mins += KScales.min(scalesLow, scalesHigh, 2 * c) * sums[sumOffset + 2 * c]
                        + KScales.min(scalesLow, scalesHigh, 2 * c + 1) * sums[sumOffset + 2 * c + 1];
                long qs = offset + 16 + 32 * c;
                int xo = xOffset + 64 * c;
                for (int l = 0; l < 32; l += lanes) {
                    ByteVector q = Simd.loadBytes(data, qs + l);
                    FloatVector lo = Simd.bytesToFloats(q.and((byte) 0x0F));
                    FloatVector hi = Simd.bytesToFloats(Simd.shiftRightBytes(q, 4).and((byte) 0x0F));
                    sumLo = lo.mul(FloatVector.fromArray(F, x, xo + l)).fma(s1, sumLo);
                    sumHi = hi.mul(FloatVector.fromArray(F, x, xo + 32 + l)).fma(s2, sumHi);
                }
            }
            float da = xScales[so + b];
            acc = sumLo.add(sumHi).fma(FloatVector.broadcast(F, Simd.f16(data, offset) * da), acc);
            minAcc += Simd.f16(data, offset + 2) * da * mins;
        }
        return VectorSums.ordered(acc) - minAcc;
    }

    /**
     * {@link #dotQuantized} with 16 float lanes, written out. The eight 6-bit scales and mins are unpacked all at once
     * ({@link KScales#scales(long, int)}) instead of one sub-block at a time; a nibble
     * becomes a float by one lane permutation of a 16-entry table (selectFrom uses the index's low 4 bits) instead of
     * mask and convert; a sub-block's products are summed before its scale multiplies them (all exact). Same exact
     * block sums (lane {@code k} sums the values {@code = k mod 16}), same min sum, same scaling.
     */
    private static float dotQuantized16(MemorySegment data, long offset, float[] x, int xOffset, float[] xScales,
            int so, float[] sums, int sumOffset, int blocks) {
        IntVector table = IntVector.fromArray(Simd.I, NIBBLE_FLOAT_BITS, 0);
        FloatVector acc = FloatVector.zero(F);
        float minAcc = 0;
        for (int b = 0; b < blocks; b++, offset += BLOCK_BYTES, xOffset += BLOCK, sumOffset += 8) {
            long scalesLow = data.get(Simd.LE_LONG, offset + 4);
            int scalesHigh = data.get(Simd.LE_INT, offset + 12);
            long scales = KScales.scales(scalesLow, scalesHigh);
            long mins = KScales.mins(scalesLow, scalesHigh);
            float minSum = 0;
            for (int j = 0; j < 8; j++) {
                minSum += (int) ((mins >>> (8 * j)) & 0xFF) * sums[sumOffset + j];
            }
            FloatVector sumLo = FloatVector.zero(F), sumHi = sumLo;
            for (int c = 0; c < 4; c++) {
                long qs = offset + 16 + 32 * c;
                int xo = xOffset + 64 * c;
                IntVector n0 = Simd.bytesToInts(Simd.loadBytes(data, qs));
                IntVector n1 = Simd.bytesToInts(Simd.loadBytes(data, qs + 16));
                // sub-block 2c: low nibbles; 2c + 1: high nibbles; exact integer sums, then times the 6-bit scale
                FloatVector lo = n0.selectFrom(table).reinterpretAsFloats().mul(FloatVector.fromArray(F, x, xo));
                lo = n1.selectFrom(table).reinterpretAsFloats().fma(FloatVector.fromArray(F, x, xo + 16), lo);
                FloatVector hi = n0.lanewise(VectorOperators.LSHR, 4).selectFrom(table).reinterpretAsFloats()
                        .mul(FloatVector.fromArray(F, x, xo + 32));
                hi = n1.lanewise(VectorOperators.LSHR, 4).selectFrom(table).reinterpretAsFloats()
                        .fma(FloatVector.fromArray(F, x, xo + 48), hi);
                sumLo = lo.fma(FloatVector.broadcast(F, (float) ((scales >>> (16 * c)) & 0xFF)), sumLo);
                sumHi = hi.fma(FloatVector.broadcast(F, (float) ((scales >>> (16 * c + 8)) & 0xFF)), sumHi);
            }
            float da = xScales[so + b];
            acc = sumLo.add(sumHi).fma(FloatVector.broadcast(F, Simd.f16(data, offset) * da), acc);
            minAcc += Simd.f16(data, offset + 2) * da * minSum;
        }
        return VectorSums.ordered(acc) - minAcc;
    }

    /** {@link #dotQuantized} for four activation rows, each weight vector decoded once; exact block sums, same scaling. */
    @Override
    protected void dot4Quantized(long offset, QuantizedActivations a, int i0, int i1, int i2, int i3, float[] out,
            int o0, int o1, int o2, int o3, float[] reduce) {
        MemorySegment data = data();
        float[] x = a.q, xScales = a.scales, sums = a.sums32;
        int x0 = a.qOffset(i0), x1 = a.qOffset(i1), x2 = a.qOffset(i2), x3 = a.qOffset(i3);
        int s0 = a.scaleOffset(i0), s1 = a.scaleOffset(i1), s2 = a.scaleOffset(i2), s3 = a.scaleOffset(i3);
        int m0 = a.sumOffset(i0), m1 = a.sumOffset(i1), m2 = a.sumOffset(i2), m3 = a.sumOffset(i3);
        int lanes = F.length();
        int blocks = cols() / BLOCK;
        FloatVector zero = FloatVector.zero(F);
        FloatVector acc0 = zero, acc1 = zero, acc2 = zero, acc3 = zero;
        float minAcc0 = 0, minAcc1 = 0, minAcc2 = 0, minAcc3 = 0;
        for (int b = 0, xb = 0; b < blocks; b++, offset += BLOCK_BYTES, xb += BLOCK) {
            long scalesLow = data.get(Simd.LE_LONG, offset + 4);
            int scalesHigh = data.get(Simd.LE_INT, offset + 12);
            FloatVector sum0 = zero, sum1 = zero, sum2 = zero, sum3 = zero;
            float mins0 = 0, mins1 = 0, mins2 = 0, mins3 = 0;
            for (int c = 0; c < 4; c++) {
                float sc1 = KScales.scale(scalesLow, scalesHigh, 2 * c);
                float sc2 = KScales.scale(scalesLow, scalesHigh, 2 * c + 1);
                int mn1 = KScales.min(scalesLow, scalesHigh, 2 * c);
                int mn2 = KScales.min(scalesLow, scalesHigh, 2 * c + 1);
                int g = 8 * b + 2 * c;
                mins0 += mn1 * sums[m0 + g] + mn2 * sums[m0 + g + 1];
                mins1 += mn1 * sums[m1 + g] + mn2 * sums[m1 + g + 1];
                mins2 += mn1 * sums[m2 + g] + mn2 * sums[m2 + g + 1];
                mins3 += mn1 * sums[m3 + g] + mn2 * sums[m3 + g + 1];
                long qs = offset + 16 + 32 * c;
                int xo = xb + 64 * c;
                for (int l = 0; l < 32; l += lanes) {
                    ByteVector q = Simd.loadBytes(data, qs + l);
                    FloatVector lo = Simd.bytesToFloats(q.and((byte) 0x0F)).mul(sc1);
                    FloatVector hi = Simd.bytesToFloats(Simd.shiftRightBytes(q, 4).and((byte) 0x0F)).mul(sc2);
                    int lo0 = xo + l, hi0 = xo + 32 + l;
                    sum0 = hi.fma(FloatVector.fromArray(F, x, x0 + hi0), lo.fma(FloatVector.fromArray(F, x, x0 + lo0), sum0));
                    sum1 = hi.fma(FloatVector.fromArray(F, x, x1 + hi0), lo.fma(FloatVector.fromArray(F, x, x1 + lo0), sum1));
                    sum2 = hi.fma(FloatVector.fromArray(F, x, x2 + hi0), lo.fma(FloatVector.fromArray(F, x, x2 + lo0), sum2));
                    sum3 = hi.fma(FloatVector.fromArray(F, x, x3 + hi0), lo.fma(FloatVector.fromArray(F, x, x3 + lo0), sum3));
                }
            }
            float d = Simd.f16(data, offset), dmin = Simd.f16(data, offset + 2);
            acc0 = sum0.fma(FloatVector.broadcast(F, d * xScales[s0 + b]), acc0);
            acc1 = sum1.fma(FloatVector.broadcast(F, d * xScales[s1 + b]), acc1);
            acc2 = sum2.fma(FloatVector.broadcast(F, d * xScales[s2 + b]), acc2);
            acc3 = sum3.fma(FloatVector.broadcast(F, d * xScales[s3 + b]), acc3);
            minAcc0 += dmin * xScales[s0 + b] * mins0;
            minAcc1 += dmin * xScales[s1 + b] * mins1;
            minAcc2 += dmin * xScales[s2 + b] * mins2;
            minAcc3 += dmin * xScales[s3 + b] * mins3;
        }
        acc0.intoArray(reduce, 0);
        acc1.intoArray(reduce, lanes);
        acc2.intoArray(reduce, 2 * lanes);
        acc3.intoArray(reduce, 3 * lanes);
        out[o0] = VectorSums.ordered(reduce, 0, lanes) - minAcc0;
        out[o1] = VectorSums.ordered(reduce, lanes, lanes) - minAcc1;
        out[o2] = VectorSums.ordered(reduce, 2 * lanes, lanes) - minAcc2;
        out[o3] = VectorSums.ordered(reduce, 3 * lanes, lanes) - minAcc3;
    }

    @Override
    protected boolean tileUnpacksRows() {
        return hasTileKernel();
    }

    @Override
    protected boolean hasTileKernel() {
        return F.length() == 16;
    }

    /**
     * Per thread: the last two weight rows {@link #tile2x4Quantized} unpacked, so that the activation groups of one
     * row pair unpack them once. Each value is {@code nibble * sub-block scale}, an exact small integer as a float;
     * per super-block also {@code d}, {@code dmin} and the eight 6-bit mins as floats.
     */
    private static final class UnpackedRows {
        Q4_KTensor owner;
        long offset0 = -1, offset1 = -1;
        float[] values = new float[0];
        float[] d = new float[0], dmin = new float[0], mins = new float[0];

        void unpack(Q4_KTensor t, long o0, long o1) {
            if (owner == t && offset0 == o0 && offset1 == o1) {
                return;
            }
            int cols = t.cols(), blocks = cols / BLOCK;
            if (values.length < 2 * cols) {
                values = new float[2 * cols];
                d = new float[2 * blocks];
                dmin = new float[2 * blocks];
                mins = new float[16 * blocks];
            }
            t.unpack(o0, values, 0, d, dmin, mins, 0);
            t.unpack(o1, values, cols, d, dmin, mins, blocks);
            owner = t;
            offset0 = o0;
            offset1 = o1;
        }
    }

    private static final ThreadLocal<UnpackedRows> UNPACKED = ThreadLocal.withInitial(UnpackedRows::new);

    /** The row at byte {@code offset} as {@link UnpackedRows} keeps it, from value {@code v} and block {@code b}. */
    private void unpack(long offset, float[] values, int v, float[] d, float[] dmin, float[] mins, int b) {
        MemorySegment data = data();
        IntVector table = IntVector.fromArray(Simd.I, NIBBLE_FLOAT_BITS, 0);
        for (int blocks = cols() / BLOCK, k = 0; k < blocks; k++, offset += BLOCK_BYTES, v += BLOCK, b++) {
            long scalesLow = data.get(Simd.LE_LONG, offset + 4);
            int scalesHigh = data.get(Simd.LE_INT, offset + 12);
            long scales = KScales.scales(scalesLow, scalesHigh), mn = KScales.mins(scalesLow, scalesHigh);
            d[b] = Simd.f16(data, offset);
            dmin[b] = Simd.f16(data, offset + 2);
            for (int j = 0; j < 8; j++) {
                mins[8 * b + j] = (int) ((mn >>> (8 * j)) & 0xFF);
            }
            for (int c = 0; c < 4; c++) {
                IntVector n = Simd.bytesToInts(Simd.loadBytes(data, offset + 16 + 32 * c));
                IntVector m = Simd.bytesToInts(Simd.loadBytes(data, offset + 32 + 32 * c));
                float lo = (int) ((scales >>> (16 * c)) & 0xFF), hi = (int) ((scales >>> (16 * c + 8)) & 0xFF);
                int vc = v + 64 * c;
                n.selectFrom(table).reinterpretAsFloats().mul(lo).intoArray(values, vc);
                m.selectFrom(table).reinterpretAsFloats().mul(lo).intoArray(values, vc + 16);
                n.lanewise(VectorOperators.LSHR, 4).selectFrom(table).reinterpretAsFloats().mul(hi)
                        .intoArray(values, vc + 32);
                m.lanewise(VectorOperators.LSHR, 4).selectFrom(table).reinterpretAsFloats().mul(hi)
                        .intoArray(values, vc + 48);
            }
        }
    }

    /**
     * {@link #dotQuantized} for two weight rows x four activation rows, bit for bit: the two rows are unpacked once
     * per row pair ({@link UnpackedRows}), then each lane sums, per super-block, the same exact integer products as
     * {@link #dotQuantized16} (the values at positions equal to it modulo 16), and the block scaling, min term and
     * reduction follow in the same order.
     */
    @Override
    protected void tile2x4Quantized(long offset0, long offset1, QuantizedActivations a, int i0, int i1, int i2,
            int i3, float[] out, int o0, int o1, int o2, int o3, float[] reduce) {
        UnpackedRows u = UNPACKED.get();
        u.unpack(this, offset0, offset1);
        float[] w = u.values, d = u.d, dmin = u.dmin, mins = u.mins;
        float[] x = a.q, xScales = a.scales, sums = a.sums32;
        int x0 = a.qOffset(i0), x1 = a.qOffset(i1), x2 = a.qOffset(i2), x3 = a.qOffset(i3);
        int s0 = a.scaleOffset(i0), s1 = a.scaleOffset(i1), s2 = a.scaleOffset(i2), s3 = a.scaleOffset(i3);
        int m0 = a.sumOffset(i0), m1 = a.sumOffset(i1), m2 = a.sumOffset(i2), m3 = a.sumOffset(i3);
        int cols = cols(), blocks = cols / BLOCK;
        FloatVector zero = FloatVector.zero(F);
        FloatVector c00 = zero, c01 = zero, c02 = zero, c03 = zero, c10 = zero, c11 = zero, c12 = zero, c13 = zero;
        float n00 = 0, n01 = 0, n02 = 0, n03 = 0, n10 = 0, n11 = 0, n12 = 0, n13 = 0;
        for (int b = 0; b < blocks; b++) {
            FloatVector p00 = zero, p01 = zero, p02 = zero, p03 = zero, p10 = zero, p11 = zero, p12 = zero, p13 = zero;
            for (int j = b * BLOCK, end = j + BLOCK; j < end; j += 16) {
                FloatVector w0 = FloatVector.fromArray(F, w, j), w1 = FloatVector.fromArray(F, w, cols + j);
                FloatVector v = FloatVector.fromArray(F, x, x0 + j);
                p00 = w0.fma(v, p00);
                p10 = w1.fma(v, p10);
                v = FloatVector.fromArray(F, x, x1 + j);
                p01 = w0.fma(v, p01);
                p11 = w1.fma(v, p11);
                v = FloatVector.fromArray(F, x, x2 + j);
                p02 = w0.fma(v, p02);
                p12 = w1.fma(v, p12);
                v = FloatVector.fromArray(F, x, x3 + j);
                p03 = w0.fma(v, p03);
                p13 = w1.fma(v, p13);
            }
            float d0 = d[b], d1 = d[blocks + b];
            float da0 = xScales[s0 + b], da1 = xScales[s1 + b], da2 = xScales[s2 + b], da3 = xScales[s3 + b];
            c00 = p00.fma(FloatVector.broadcast(F, d0 * da0), c00);
            c01 = p01.fma(FloatVector.broadcast(F, d0 * da1), c01);
            c02 = p02.fma(FloatVector.broadcast(F, d0 * da2), c02);
            c03 = p03.fma(FloatVector.broadcast(F, d0 * da3), c03);
            c10 = p10.fma(FloatVector.broadcast(F, d1 * da0), c10);
            c11 = p11.fma(FloatVector.broadcast(F, d1 * da1), c11);
            c12 = p12.fma(FloatVector.broadcast(F, d1 * da2), c12);
            c13 = p13.fma(FloatVector.broadcast(F, d1 * da3), c13);
            float q00 = 0, q01 = 0, q02 = 0, q03 = 0, q10 = 0, q11 = 0, q12 = 0, q13 = 0;
            for (int k = 0, g = 8 * b; k < 8; k++, g++) { // exact integers: order does not matter
                float mn0 = mins[g], mn1 = mins[8 * blocks + g];
                float t0 = sums[m0 + g], t1 = sums[m1 + g], t2 = sums[m2 + g], t3 = sums[m3 + g];
                q00 += mn0 * t0;
                q01 += mn0 * t1;
                q02 += mn0 * t2;
                q03 += mn0 * t3;
                q10 += mn1 * t0;
                q11 += mn1 * t1;
                q12 += mn1 * t2;
                q13 += mn1 * t3;
            }
            float dm0 = dmin[b], dm1 = dmin[blocks + b];
            n00 += dm0 * da0 * q00;
            n01 += dm0 * da1 * q01;
            n02 += dm0 * da2 * q02;
            n03 += dm0 * da3 * q03;
            n10 += dm1 * da0 * q10;
            n11 += dm1 * da1 * q11;
            n12 += dm1 * da2 * q12;
            n13 += dm1 * da3 * q13;
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
        out[o0] -= n00;
        out[o1] -= n01;
        out[o2] -= n02;
        out[o3] -= n03;
        out[o0 + 1] -= n10;
        out[o1 + 1] -= n11;
        out[o2 + 1] -= n12;
        out[o3 + 1] -= n13;
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
        FloatVector lo0 = FloatVector.zero(F), lo1 = lo0, lo2 = lo0, lo3 = lo0;
        FloatVector hi0 = lo0, hi1 = lo0, hi2 = lo0, hi3 = lo0;
        for (int b = 0, xb = 0; b < blocks; b++, offset += BLOCK_BYTES, xb += BLOCK) {
            float d = Simd.f16(data, offset);
            float dmin = Simd.f16(data, offset + 2);
            long scalesLow = data.get(Simd.LE_LONG, offset + 4);
            int scalesHigh = data.get(Simd.LE_INT, offset + 12);
            for (int c = 0; c < 4; c++) {
                FloatVector d1 = FloatVector.broadcast(F, d * KScales.scale(scalesLow, scalesHigh, 2 * c));
                FloatVector m1 = FloatVector.broadcast(F, -(dmin * KScales.min(scalesLow, scalesHigh, 2 * c)));
                FloatVector d2 = FloatVector.broadcast(F, d * KScales.scale(scalesLow, scalesHigh, 2 * c + 1));
                FloatVector m2 = FloatVector.broadcast(F, -(dmin * KScales.min(scalesLow, scalesHigh, 2 * c + 1)));
                long qs = offset + 16 + 32 * c;
                for (int l = 0; l < 32; l += lanes) {
                    ByteVector q = Simd.loadBytes(data, qs + l);
                    FloatVector lo = Simd.bytesToFloats(q.and((byte) 0x0F)).fma(d1, m1);
                    FloatVector hi = Simd.bytesToFloats(Simd.shiftRightBytes(q, 4).and((byte) 0x0F)).fma(d2, m2);
                    int xl = xb + 64 * c + l;
                    lo0 = lo.fma(FloatVector.fromArray(F, x, x0 + xl), lo0);
                    hi0 = hi.fma(FloatVector.fromArray(F, x, x0 + xl + 32), hi0);
                    lo1 = lo.fma(FloatVector.fromArray(F, x, x1 + xl), lo1);
                    hi1 = hi.fma(FloatVector.fromArray(F, x, x1 + xl + 32), hi1);
                    lo2 = lo.fma(FloatVector.fromArray(F, x, x2 + xl), lo2);
                    hi2 = hi.fma(FloatVector.fromArray(F, x, x2 + xl + 32), hi2);
                    lo3 = lo.fma(FloatVector.fromArray(F, x, x3 + xl), lo3);
                    hi3 = hi.fma(FloatVector.fromArray(F, x, x3 + xl + 32), hi3);
                }
            }
        }
        lo0.add(hi0).intoArray(reduce, 0);
        lo1.add(hi1).intoArray(reduce, lanes);
        lo2.add(hi2).intoArray(reduce, 2 * lanes);
        lo3.add(hi3).intoArray(reduce, 3 * lanes);
        reduceGroup(reduce, out, o0, o1, o2, o3);
    }
}
