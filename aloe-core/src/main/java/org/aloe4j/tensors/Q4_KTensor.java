package org.aloe4j.tensors;

import static org.aloe4j.tensors.Simd.F;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
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
        out[o0] = VectorSums.ordered(reduce, 0, lanes);
        out[o1] = VectorSums.ordered(reduce, lanes, lanes);
        out[o2] = VectorSums.ordered(reduce, 2 * lanes, lanes);
        out[o3] = VectorSums.ordered(reduce, 3 * lanes, lanes);
    }
}
