package org.aloe4j.tensors;

import static org.aloe4j.tensors.Simd.F;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
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
        long offset = rowOffsetForDot(row, x, xOffset);
        MemorySegment data = data();
        int lanes = F.length();
        int blocks = cols() / BLOCK;
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
        int b = 0;
        for (; b + 1 < blocks; b += 2, offset += 2 * BLOCK_BYTES, xOffset += 2 * BLOCK) {
            acc0 = block(data, offset, x, xOffset, lanes, acc0);
            acc1 = block(data, offset + BLOCK_BYTES, x, xOffset + BLOCK, lanes, acc1);
        }
        if (b < blocks) {
            acc0 = block(data, offset, x, xOffset, lanes, acc0);
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    private static FloatVector block(MemorySegment data, long offset, float[] x, int xOffset, int lanes,
            FloatVector acc) {
        FloatVector sum = FloatVector.zero(F);
        for (int j = 0; j < 16; j += lanes) {
            ByteVector q = Simd.loadBytes(data, offset + 2 + j);
            FloatVector lo = Simd.bytesToFloats(q.and((byte) 0x0F).sub((byte) 8));
            FloatVector hi = Simd.bytesToFloats(Simd.shiftRightBytes(q, 4).and((byte) 0x0F).sub((byte) 8));
            sum = lo.fma(FloatVector.fromArray(F, x, xOffset + j), sum);
            sum = hi.fma(FloatVector.fromArray(F, x, xOffset + j + 16), sum);
        }
        return sum.fma(FloatVector.broadcast(F, Simd.f16(data, offset)), acc);
    }
}
