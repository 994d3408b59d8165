package org.aloe4j.tensors;

import static org.aloe4j.tensors.Simd.F;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import org.aloe4j.formats.gguf.GGMLType;

/**
 * ggml {@code block_q8_0}: 32 values in 34 bytes, {@code d} (fp16) then 32 signed bytes {@code qs};
 * {@code w[j] = qs[j] * d}.
 */
public final class Q8_0Tensor extends Tensor {
    private static final int BLOCK = 32;
    private static final int BLOCK_BYTES = 34;

    public Q8_0Tensor(String name, MemorySegment data, long rows, int cols) {
        super(name, GGMLType.Q8_0, data, rows, cols);
    }

    @Override
    protected void dequantizeBlock(long offset, float[] out, int outOffset) {
        MemorySegment data = data();
        float d = Simd.f16(data, offset);
        for (int j = 0; j < BLOCK; j++) {
            out[outOffset + j] = Simd.s8(data, offset + 2 + j) * d;
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
            for (int j = 0; j < BLOCK; j += lanes) {
                Simd.bytesToFloats(Simd.loadBytes(data, offset + 2 + j)).mul(d).intoArray(out, outOffset + j);
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
        // two accumulators (even and odd blocks) so consecutive blocks do not wait on each other's FMA
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
        FloatVector sum = Simd.bytesToFloats(Simd.loadBytes(data, offset + 2)).mul(FloatVector.fromArray(F, x, xOffset));
        for (int j = lanes; j < BLOCK; j += lanes) {
            sum = Simd.bytesToFloats(Simd.loadBytes(data, offset + 2 + j)).fma(FloatVector.fromArray(F, x, xOffset + j), sum);
        }
        return sum.fma(FloatVector.broadcast(F, Simd.f16(data, offset)), acc);
    }
}
