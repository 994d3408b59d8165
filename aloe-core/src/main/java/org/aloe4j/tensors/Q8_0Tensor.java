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
        // no vector-typed helper method: see Q4_0Tensor.dot
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, offset += BLOCK_BYTES, xOffset += BLOCK) {
            FloatVector sum = FloatVector.zero(F);
            for (int j = 0; j < BLOCK; j += lanes) {
                sum = Simd.bytesToFloats(Simd.loadBytes(data, offset + 2 + j))
                        .fma(FloatVector.fromArray(F, x, xOffset + j), sum);
            }
            acc = sum.fma(FloatVector.broadcast(F, Simd.f16(data, offset)), acc);
        }
        return VectorSums.ordered(acc);
    }
}
