package org.aloe4j.tensors;

import static org.aloe4j.tensors.Simd.F;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import org.aloe4j.formats.gguf.GGMLType;

/**
 * ggml {@code block_q6_K}: 256 values in 210 bytes: 128 bytes {@code ql} (low 4 bits), 64 bytes {@code qh} (high
 * 2 bits), 16 signed bytes {@code scales}, {@code d} (fp16). Half {@code n} (128 values) reads {@code ql[64n ..]},
 * {@code qh[32n ..]}, {@code scales[8n ..]}; for {@code l < 32} its values {@code l, l+32, l+64, l+96} are the low
 * nibbles of {@code ql[l]}, {@code ql[l+32]}, then their high nibbles, with bits 0-1, 2-3, 4-5, 6-7 of {@code qh[l]}
 * on top; value {@code 16 i + k} uses scale {@code i}; {@code w = (d * scale) * (q - 32)}.
 */
public final class Q6_KTensor extends Tensor {
    private static final int BLOCK = 256;
    private static final int BLOCK_BYTES = 210;

    public Q6_KTensor(String name, MemorySegment data, long rows, int cols) {
        super(name, GGMLType.Q6_K, data, rows, cols);
    }

    @Override
    protected void dequantizeBlock(long offset, float[] out, int outOffset) {
        MemorySegment data = data();
        float d = Simd.f16(data, offset + 208);
        for (int n = 0; n < 2; n++) {
            long ql = offset + 64 * n;
            long qh = offset + 128 + 32 * n;
            long sc = offset + 192 + 8 * n;
            int o = outOffset + 128 * n;
            for (int l = 0; l < 32; l++) {
                int is = l / 16;
                int a = Simd.u8(data, ql + l);
                int b = Simd.u8(data, ql + l + 32);
                int h = Simd.u8(data, qh + l);
                int q1 = ((a & 0x0F) | ((h & 3) << 4)) - 32;
                int q2 = ((b & 0x0F) | (((h >>> 2) & 3) << 4)) - 32;
                int q3 = ((a >>> 4) | (((h >>> 4) & 3) << 4)) - 32;
                int q4 = ((b >>> 4) | (((h >>> 6) & 3) << 4)) - 32;
                out[o + l] = d * Simd.s8(data, sc + is) * q1;
                out[o + l + 32] = d * Simd.s8(data, sc + is + 2) * q2;
                out[o + l + 64] = d * Simd.s8(data, sc + is + 4) * q3;
                out[o + l + 96] = d * Simd.s8(data, sc + is + 6) * q4;
            }
        }
    }

    // Both kernels decode value group g = 0..3 of each half with one code path driven by shift counts: the low
    // nibbles of ql[l], of ql[l + 32], then the high nibbles, with bits 2g, 2g+1 of qh[l] on top. Written out in
    // each method (no vector-typed helper) so that C2 inlines every vector operation; a vector crossing a call that
    // was not inlined is boxed on the heap.
    @Override
    protected void decodeBlocks(long offset, int blocks, float[] out, int outOffset) {
        if (!Simd.ENABLED) {
            super.decodeBlocks(offset, blocks, out, outOffset);
            return;
        }
        MemorySegment data = data();
        int lanes = F.length();
        for (int b = 0; b < blocks; b++, offset += BLOCK_BYTES, outOffset += BLOCK) {
            float d = Simd.f16(data, offset + 208);
            for (int half = 0; half < 2; half++) {
                long scales = data.get(Simd.LE_LONG, offset + 192 + 8 * half);
                for (int g = 0; g < 4; g++) {
                    for (int l = 0; l < 32; l += lanes) {
                        ByteVector ql = Simd.loadBytes(data, offset + 64 * half + 32 * (g & 1) + l);
                        ByteVector qh = Simd.loadBytes(data, offset + 128 + 32 * half + l);
                        ByteVector low = Simd.shiftRightBytes(ql, 4 * (g >> 1)).and((byte) 0x0F);
                        ByteVector high = Simd.shiftLeftBytes(Simd.shiftRightBytes(qh, 2 * g).and((byte) 0x03), 4);
                        FloatVector q = Simd.bytesToFloats(low.or(high).sub((byte) 32));
                        int scale = (byte) (scales >>> (8 * (2 * g + l / 16)));
                        q.mul(d * scale).intoArray(out, outOffset + 128 * half + 32 * g + l);
                    }
                }
            }
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
        // summation order kept as before (groups 0, 2 in acc0 and 1, 3 in acc1, reduced per half): the fixture logits
        // match llama.cpp to 1e-7 only in this order (another order flips an 8-bit activation rounding downstream)
        float sum = 0;
        for (int b = 0; b < blocks; b++, offset += BLOCK_BYTES, xOffset += BLOCK) {
            float d = Simd.f16(data, offset + 208);
            float halves = 0;
            for (int half = 0; half < 2; half++) {
                long scales = data.get(Simd.LE_LONG, offset + 192 + 8 * half);
                FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
                for (int l = 0; l < 32; l += lanes) {
                    for (int g = 0; g < 4; g++) {
                        ByteVector ql = Simd.loadBytes(data, offset + 64 * half + 32 * (g & 1) + l);
                        ByteVector qh = Simd.loadBytes(data, offset + 128 + 32 * half + l);
                        ByteVector low = Simd.shiftRightBytes(ql, 4 * (g >> 1)).and((byte) 0x0F);
                        ByteVector high = Simd.shiftLeftBytes(Simd.shiftRightBytes(qh, 2 * g).and((byte) 0x03), 4);
                        FloatVector q = Simd.bytesToFloats(low.or(high).sub((byte) 32));
                        int scale = (byte) (scales >>> (8 * (2 * g + l / 16)));
                        int xo = xOffset + 128 * half + 32 * g + l;
                        FloatVector p = q.mul(FloatVector.fromArray(F, x, xo));
                        FloatVector ds = FloatVector.broadcast(F, d * scale);
                        if ((g & 1) == 0) {
                            acc0 = p.fma(ds, acc0);
                        } else {
                            acc1 = p.fma(ds, acc1);
                        }
                    }
                }
                halves += VectorSums.ordered(acc0.add(acc1));
            }
            sum += halves;
        }
        return sum;
    }

    @Override
    public ActivationFormat integerActivations() {
        return ActivationFormat.Q8_K;
    }

    /**
     * Per block {@code (d_w * d_a) * sum(scale * (q6 - 32) * q8)}, as llama.cpp. Every lane's partial sum of a block
     * is an integer of at most 32 * 128 * 32 * 127 < 2^24 in magnitude (32 products with 8 lanes, 16 with 16), hence exact in float whatever the order; only
     * the block scaling and the sum over blocks round. Two partial sums per block (even and odd value groups) keep
     * two FMA chains busy.
     */
    @Override
    public float dotQuantized(long row, QuantizedActivations a, int i) {
        long offset = checkQuantized(row, a, i);
        MemorySegment data = data();
        float[] x = a.q, xScales = a.scales;
        int xOffset = a.qOffset(i), so = a.scaleOffset(i);
        int lanes = F.length();
        int blocks = cols() / BLOCK;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, offset += BLOCK_BYTES, xOffset += BLOCK) {
            FloatVector even = FloatVector.zero(F), odd = even;
            for (int half = 0; half < 2; half++) {
                long scales = data.get(Simd.LE_LONG, offset + 192 + 8 * half);
                for (int l = 0; l < 32; l += lanes) {
                    ByteVector qh = Simd.loadBytes(data, offset + 128 + 32 * half + l);
                    for (int g = 0; g < 4; g++) {
                        ByteVector ql = Simd.loadBytes(data, offset + 64 * half + 32 * (g & 1) + l);
                        ByteVector low = Simd.shiftRightBytes(ql, 4 * (g >> 1)).and((byte) 0x0F);
                        ByteVector high = Simd.shiftLeftBytes(Simd.shiftRightBytes(qh, 2 * g).and((byte) 0x03), 4);
                        FloatVector w = Simd.bytesToFloats(low.or(high).sub((byte) 32));
                        int scale = (byte) (scales >>> (8 * (2 * g + l / 16)));
                        FloatVector p = w.mul(FloatVector.fromArray(F, x, xOffset + 128 * half + 32 * g + l));
                        if ((g & 1) == 0) {
                            even = p.fma(FloatVector.broadcast(F, (float) scale), even);
                        } else {
                            odd = p.fma(FloatVector.broadcast(F, (float) scale), odd);
                        }
                    }
                }
            }
            float d = Simd.f16(data, offset + 208) * xScales[so + b];
            acc = even.add(odd).fma(FloatVector.broadcast(F, d), acc);
        }
        return VectorSums.ordered(acc);
    }

    /** {@link #dotQuantized} for four activation rows, each weight vector decoded once; exact block sums, same scaling. */
    @Override
    protected void dot4Quantized(long offset, QuantizedActivations a, int i0, int i1, int i2, int i3, float[] out,
            int o0, int o1, int o2, int o3, float[] reduce) {
        MemorySegment data = data();
        float[] x = a.q, xScales = a.scales;
        int x0 = a.qOffset(i0), x1 = a.qOffset(i1), x2 = a.qOffset(i2), x3 = a.qOffset(i3);
        int s0 = a.scaleOffset(i0), s1 = a.scaleOffset(i1), s2 = a.scaleOffset(i2), s3 = a.scaleOffset(i3);
        int lanes = F.length();
        int blocks = cols() / BLOCK;
        FloatVector zero = FloatVector.zero(F);
        FloatVector acc0 = zero, acc1 = zero, acc2 = zero, acc3 = zero;
        for (int b = 0, xb = 0; b < blocks; b++, offset += BLOCK_BYTES, xb += BLOCK) {
            FloatVector sum0 = zero, sum1 = zero, sum2 = zero, sum3 = zero;
            for (int half = 0; half < 2; half++) {
                long scales = data.get(Simd.LE_LONG, offset + 192 + 8 * half);
                for (int l = 0; l < 32; l += lanes) {
                    ByteVector qh = Simd.loadBytes(data, offset + 128 + 32 * half + l);
                    for (int g = 0; g < 4; g++) {
                        ByteVector ql = Simd.loadBytes(data, offset + 64 * half + 32 * (g & 1) + l);
                        ByteVector low = Simd.shiftRightBytes(ql, 4 * (g >> 1)).and((byte) 0x0F);
                        ByteVector high = Simd.shiftLeftBytes(Simd.shiftRightBytes(qh, 2 * g).and((byte) 0x03), 4);
                        FloatVector w = Simd.bytesToFloats(low.or(high).sub((byte) 32))
                                .mul((float) (byte) (scales >>> (8 * (2 * g + l / 16))));
                        int xo = xb + 128 * half + 32 * g + l;
                        sum0 = w.fma(FloatVector.fromArray(F, x, x0 + xo), sum0);
                        sum1 = w.fma(FloatVector.fromArray(F, x, x1 + xo), sum1);
                        sum2 = w.fma(FloatVector.fromArray(F, x, x2 + xo), sum2);
                        sum3 = w.fma(FloatVector.fromArray(F, x, x3 + xo), sum3);
                    }
                }
            }
            float d = Simd.f16(data, offset + 208);
            acc0 = sum0.fma(FloatVector.broadcast(F, d * xScales[s0 + b]), acc0);
            acc1 = sum1.fma(FloatVector.broadcast(F, d * xScales[s1 + b]), acc1);
            acc2 = sum2.fma(FloatVector.broadcast(F, d * xScales[s2 + b]), acc2);
            acc3 = sum3.fma(FloatVector.broadcast(F, d * xScales[s3 + b]), acc3);
        }
        acc0.intoArray(reduce, 0);
        acc1.intoArray(reduce, lanes);
        acc2.intoArray(reduce, 2 * lanes);
        acc3.intoArray(reduce, 3 * lanes);
        reduceGroup(reduce, out, o0, o1, o2, o3);
    }

    @Override
    protected boolean hasBatchedKernel() {
        return true;
    }

    /**
     * {@link #dot} for four activation rows, each weight vector decoded once: per row the same operations (the
     * accumulators of a half, its reduction, and the scalar sums of halves and blocks).
     */
    @Override
    protected void dot4(long offset, float[] x, int x0, int x1, int x2, int x3, float[] out, int o0, int o1, int o2,
            int o3, float[] reduce) {
        MemorySegment data = data();
        int lanes = F.length();
        int blocks = cols() / BLOCK;
        float sum0 = 0, sum1 = 0, sum2 = 0, sum3 = 0;
        for (int b = 0, xb = 0; b < blocks; b++, offset += BLOCK_BYTES, xb += BLOCK) {
            float d = Simd.f16(data, offset + 208);
            float halves0 = 0, halves1 = 0, halves2 = 0, halves3 = 0;
            for (int half = 0; half < 2; half++) {
                long scales = data.get(Simd.LE_LONG, offset + 192 + 8 * half);
                FloatVector even0 = FloatVector.zero(F), even1 = even0, even2 = even0, even3 = even0;
                FloatVector odd0 = even0, odd1 = even0, odd2 = even0, odd3 = even0;
                for (int l = 0; l < 32; l += lanes) {
                    for (int g = 0; g < 4; g++) {
                        ByteVector ql = Simd.loadBytes(data, offset + 64 * half + 32 * (g & 1) + l);
                        ByteVector qh = Simd.loadBytes(data, offset + 128 + 32 * half + l);
                        ByteVector low = Simd.shiftRightBytes(ql, 4 * (g >> 1)).and((byte) 0x0F);
                        ByteVector high = Simd.shiftLeftBytes(Simd.shiftRightBytes(qh, 2 * g).and((byte) 0x03), 4);
                        FloatVector q = Simd.bytesToFloats(low.or(high).sub((byte) 32));
                        int scale = (byte) (scales >>> (8 * (2 * g + l / 16)));
                        int xo = xb + 128 * half + 32 * g + l;
                        FloatVector ds = FloatVector.broadcast(F, d * scale);
                        FloatVector p0 = q.mul(FloatVector.fromArray(F, x, x0 + xo));
                        FloatVector p1 = q.mul(FloatVector.fromArray(F, x, x1 + xo));
                        FloatVector p2 = q.mul(FloatVector.fromArray(F, x, x2 + xo));
                        FloatVector p3 = q.mul(FloatVector.fromArray(F, x, x3 + xo));
                        if ((g & 1) == 0) {
                            even0 = p0.fma(ds, even0);
                            even1 = p1.fma(ds, even1);
                            even2 = p2.fma(ds, even2);
                            even3 = p3.fma(ds, even3);
                        } else {
                            odd0 = p0.fma(ds, odd0);
                            odd1 = p1.fma(ds, odd1);
                            odd2 = p2.fma(ds, odd2);
                            odd3 = p3.fma(ds, odd3);
                        }
                    }
                }
                even0.add(odd0).intoArray(reduce, 0);
                even1.add(odd1).intoArray(reduce, lanes);
                even2.add(odd2).intoArray(reduce, 2 * lanes);
                even3.add(odd3).intoArray(reduce, 3 * lanes);
                halves0 += VectorSums.ordered(reduce, 0, lanes);
                halves1 += VectorSums.ordered(reduce, lanes, lanes);
                halves2 += VectorSums.ordered(reduce, 2 * lanes, lanes);
                halves3 += VectorSums.ordered(reduce, 3 * lanes, lanes);
            }
            sum0 += halves0;
            sum1 += halves1;
            sum2 += halves2;
            sum3 += halves3;
        }
        out[o0] = sum0;
        out[o1] = sum1;
        out[o2] = sum2;
        out[o3] = sum3;
    }
}
