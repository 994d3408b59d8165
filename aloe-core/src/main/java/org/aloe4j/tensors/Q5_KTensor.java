package org.aloe4j.tensors;

import static org.aloe4j.tensors.Simd.F;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import org.aloe4j.formats.gguf.GGMLType;

/**
 * ggml {@code block_q5_K}: 256 values in 176 bytes: {@code d}, {@code dmin} (fp16), 12 bytes of scales and mins
 * ({@link KScales}), 32 bytes {@code qh}, 128 bytes {@code qs}. As Q4_K, plus a fifth bit: value {@code l} of chunk
 * {@code c}'s low half has bit {@code 2c} of {@code qh[l]}, of its high half bit {@code 2c+1};
 * {@code w = (d * scale) * q - dmin * min}.
 */
public final class Q5_KTensor extends Tensor {
    private static final int BLOCK = 256;
    private static final int BLOCK_BYTES = 176;

    public Q5_KTensor(String name, MemorySegment data, long rows, int cols) {
        super(name, GGMLType.Q5_K, data, rows, cols);
    }

    @Override
    protected void dequantizeBlock(long offset, float[] out, int outOffset) {
        MemorySegment data = data();
        float d = Simd.f16(data, offset);
        float dmin = Simd.f16(data, offset + 2);
        long scales = offset + 4;
        long qh = offset + 16;
        for (int c = 0; c < 4; c++) {
            float d1 = d * KScales.scale(data, scales, 2 * c);
            float m1 = dmin * KScales.min(data, scales, 2 * c);
            float d2 = d * KScales.scale(data, scales, 2 * c + 1);
            float m2 = dmin * KScales.min(data, scales, 2 * c + 1);
            long qs = offset + 48 + 32 * c;
            int o = outOffset + 64 * c;
            for (int l = 0; l < 32; l++) {
                int q = Simd.u8(data, qs + l);
                int h = Simd.u8(data, qh + l);
                out[o + l] = d1 * ((q & 0x0F) + (((h >>> (2 * c)) & 1) << 4)) - m1;
                out[o + 32 + l] = d2 * ((q >>> 4) + (((h >>> (2 * c + 1)) & 1) << 4)) - m2;
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
                decodeChunk(data, offset, d, dmin, scalesLow, scalesHigh, c, out, outOffset + 64 * c);
            }
        }
    }

    /** 64 values (two sub-blocks) of chunk {@code c} as fma(q, d * scale, -dmin * min), rounded once. */
    private static void decodeChunk(MemorySegment data, long block, float d, float dmin, long scalesLow,
            int scalesHigh, int c, float[] out, int o) {
        int lanes = F.length();
        FloatVector d1 = FloatVector.broadcast(F, d * KScales.scale(scalesLow, scalesHigh, 2 * c));
        FloatVector m1 = FloatVector.broadcast(F, -(dmin * KScales.min(scalesLow, scalesHigh, 2 * c)));
        FloatVector d2 = FloatVector.broadcast(F, d * KScales.scale(scalesLow, scalesHigh, 2 * c + 1));
        FloatVector m2 = FloatVector.broadcast(F, -(dmin * KScales.min(scalesLow, scalesHigh, 2 * c + 1)));
        long qs = block + 48 + 32 * c;
        long qh = block + 16;
        for (int l = 0; l < 32; l += lanes) {
            ByteVector q = Simd.loadBytes(data, qs + l);
            ByteVector h = Simd.loadBytes(data, qh + l);
            Simd.bytesToFloats(q.and((byte) 0x0F).or(shiftToBit4(h, 2 * c))).fma(d1, m1).intoArray(out, o + l);
            Simd.bytesToFloats(Simd.shiftRightBytes(q, 4).and((byte) 0x0F).or(shiftToBit4(h, 2 * c + 1)))
                    .fma(d2, m2).intoArray(out, o + 32 + l);
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
        // weights by fma(q, d*scale, -dmin*min): exact product (11 + 6 + 5 bits), one rounding as in the reference
        FloatVector accLo = FloatVector.zero(F), accHi = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, offset += BLOCK_BYTES, xOffset += BLOCK) {
            float d = Simd.f16(data, offset);
            float dmin = Simd.f16(data, offset + 2);
            long scalesLow = data.get(Simd.LE_LONG, offset + 4);
            int scalesHigh = data.get(Simd.LE_INT, offset + 12);
            long qh = offset + 16;
            for (int c = 0; c < 4; c++) {
                FloatVector d1 = FloatVector.broadcast(F, d * KScales.scale(scalesLow, scalesHigh, 2 * c));
                FloatVector m1 = FloatVector.broadcast(F, -(dmin * KScales.min(scalesLow, scalesHigh, 2 * c)));
                FloatVector d2 = FloatVector.broadcast(F, d * KScales.scale(scalesLow, scalesHigh, 2 * c + 1));
                FloatVector m2 = FloatVector.broadcast(F, -(dmin * KScales.min(scalesLow, scalesHigh, 2 * c + 1)));
                long qs = offset + 48 + 32 * c;
                int xo = xOffset + 64 * c;
                for (int l = 0; l < 32; l += lanes) {
                    ByteVector q = Simd.loadBytes(data, qs + l);
                    ByteVector h = Simd.loadBytes(data, qh + l);
                    // bit 2c of h to value 16 (bit 4), bit 2c+1 likewise
                    ByteVector fifthLo = shiftToBit4(h, 2 * c);
                    ByteVector fifthHi = shiftToBit4(h, 2 * c + 1);
                    FloatVector lo = Simd.bytesToFloats(q.and((byte) 0x0F).or(fifthLo)).fma(d1, m1);
                    FloatVector hi = Simd.bytesToFloats(Simd.shiftRightBytes(q, 4).and((byte) 0x0F).or(fifthHi))
                            .fma(d2, m2);
                    accLo = lo.fma(FloatVector.fromArray(F, x, xo + l), accLo);
                    accHi = hi.fma(FloatVector.fromArray(F, x, xo + 32 + l), accHi);
                }
            }
        }
        return VectorSums.ordered(accLo.add(accHi));
    }

    /** Bit {@code bit} of every byte moved to bit 4 (value 16), other bits cleared. */
    private static ByteVector shiftToBit4(ByteVector v, int bit) {
        ByteVector moved = bit <= 4 ? Simd.shiftLeftBytes(v, 4 - bit) : Simd.shiftRightBytes(v, bit - 4);
        return moved.and((byte) 0x10);
    }
}
