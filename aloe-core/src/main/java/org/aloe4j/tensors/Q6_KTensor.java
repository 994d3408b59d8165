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

    @Override
    protected void decodeBlocks(long offset, int blocks, float[] out, int outOffset) {
        if (!Simd.ENABLED) {
            super.decodeBlocks(offset, blocks, out, outOffset);
            return;
        }
        MemorySegment data = data();
        for (int b = 0; b < blocks; b++, offset += BLOCK_BYTES, outOffset += BLOCK) {
            float d = Simd.f16(data, offset + 208);
            decodeHalf(data, offset, 0, d, out, outOffset);
            decodeHalf(data, offset, 1, d, out, outOffset + 128);
        }
    }

    /** 128 values of half {@code half}: {@code (d * scale) * (q - 32)}, the reference's order of roundings. */
    private static void decodeHalf(MemorySegment data, long block, int half, float d, float[] out, int o) {
        int lanes = F.length();
        long ql = block + 64 * half;
        long qh = block + 128 + 32 * half;
        long scales = data.get(Simd.LE_LONG, block + 192 + 8 * half);
        for (int l = 0; l < 32; l += lanes) {
            ByteVector a = Simd.loadBytes(data, ql + l);
            ByteVector c = Simd.loadBytes(data, ql + l + 32);
            ByteVector h = Simd.loadBytes(data, qh + l);
            ByteVector q1 = a.and((byte) 0x0F).or(Simd.shiftLeftBytes(h, 4).and((byte) 0x30));
            ByteVector q2 = c.and((byte) 0x0F).or(Simd.shiftLeftBytes(h, 2).and((byte) 0x30));
            ByteVector q3 = Simd.shiftRightBytes(a, 4).and((byte) 0x0F).or(h.and((byte) 0x30));
            ByteVector q4 = Simd.shiftRightBytes(c, 4).and((byte) 0x0F).or(Simd.shiftRightBytes(h, 2).and((byte) 0x30));
            int is = l / 16;
            Simd.bytesToFloats(q1.sub((byte) 32)).mul(d * (byte) (scales >>> (8 * is))).intoArray(out, o + l);
            Simd.bytesToFloats(q2.sub((byte) 32)).mul(d * (byte) (scales >>> (8 * is + 16))).intoArray(out, o + l + 32);
            Simd.bytesToFloats(q3.sub((byte) 32)).mul(d * (byte) (scales >>> (8 * is + 32))).intoArray(out, o + l + 64);
            Simd.bytesToFloats(q4.sub((byte) 32)).mul(d * (byte) (scales >>> (8 * is + 48))).intoArray(out, o + l + 96);
        }
    }

    @Override
    public float dot(long row, float[] x, int xOffset) {
        if (!Simd.ENABLED) {
            return dotScalar(row, x, xOffset);
        }
        long offset = rowOffsetForDot(row, x, xOffset);
        MemorySegment data = data();
        int blocks = cols() / BLOCK;
        float sum = 0;
        for (int b = 0; b < blocks; b++, offset += BLOCK_BYTES, xOffset += BLOCK) {
            float d = Simd.f16(data, offset + 208);
            sum += half(data, offset, 0, d, x, xOffset) + half(data, offset, 1, d, x, xOffset + 128);
        }
        return sum;
    }

    /**
     * One half block (128 values) of the dot product. A separate method, reduced to a float, because the decoding of
     * a whole block in one method is more vector code than C2 inlines in one compilation (NodeCountInliningCutoff),
     * and a vector crossing a call that is not inlined gets boxed on the heap.
     *
     * @param block offset of the block
     * @param half 0 or 1
     */
    private static float half(MemorySegment data, long block, int half, float d, float[] x, int xo) {
        int lanes = F.length();
        long ql = block + 64 * half;
        long qh = block + 128 + 32 * half;
        long scales = data.get(Simd.LE_LONG, block + 192 + 8 * half);
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
        for (int l = 0; l < 32; l += lanes) {
            ByteVector a = Simd.loadBytes(data, ql + l);
            ByteVector c = Simd.loadBytes(data, ql + l + 32);
            ByteVector h = Simd.loadBytes(data, qh + l);
            ByteVector q1 = a.and((byte) 0x0F).or(Simd.shiftLeftBytes(h, 4).and((byte) 0x30));
            ByteVector q2 = c.and((byte) 0x0F).or(Simd.shiftLeftBytes(h, 2).and((byte) 0x30));
            ByteVector q3 = Simd.shiftRightBytes(a, 4).and((byte) 0x0F).or(h.and((byte) 0x30));
            ByteVector q4 = Simd.shiftRightBytes(c, 4).and((byte) 0x0F).or(Simd.shiftRightBytes(h, 2).and((byte) 0x30));
            int is = l / 16; // with 8 lanes two steps share a scale; with 16 each step has its own
            FloatVector p1 = Simd.bytesToFloats(q1.sub((byte) 32)).mul(FloatVector.fromArray(F, x, xo + l));
            FloatVector p2 = Simd.bytesToFloats(q2.sub((byte) 32)).mul(FloatVector.fromArray(F, x, xo + l + 32));
            FloatVector p3 = Simd.bytesToFloats(q3.sub((byte) 32)).mul(FloatVector.fromArray(F, x, xo + l + 64));
            FloatVector p4 = Simd.bytesToFloats(q4.sub((byte) 32)).mul(FloatVector.fromArray(F, x, xo + l + 96));
            acc0 = p1.fma(FloatVector.broadcast(F, d * (byte) (scales >>> (8 * is))), acc0);
            acc1 = p2.fma(FloatVector.broadcast(F, d * (byte) (scales >>> (8 * is + 16))), acc1);
            acc0 = p3.fma(FloatVector.broadcast(F, d * (byte) (scales >>> (8 * is + 32))), acc0);
            acc1 = p4.fma(FloatVector.broadcast(F, d * (byte) (scales >>> (8 * is + 48))), acc1);
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }
}
