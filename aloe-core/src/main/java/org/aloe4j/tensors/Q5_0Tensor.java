package org.aloe4j.tensors;

import static org.aloe4j.tensors.Simd.F;
import static org.aloe4j.tensors.Simd.I;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import org.aloe4j.formats.gguf.GGMLType;

/**
 * ggml {@code block_q5_0}: 32 values in 22 bytes, {@code d} (fp16), {@code qh} (32 fifth bits, a little-endian
 * uint32), 16 bytes {@code qs} (nibbles as in Q4_0); value {@code j}'s fifth bit is bit {@code j} of {@code qh};
 * {@code w = (q - 16) * d}.
 */
public final class Q5_0Tensor extends Tensor {
    private static final int BLOCK = 32;
    private static final int BLOCK_BYTES = 22;

    public Q5_0Tensor(String name, MemorySegment data, long rows, int cols) {
        super(name, GGMLType.Q5_0, data, rows, cols);
    }

    @Override
    protected void dequantizeBlock(long offset, float[] out, int outOffset) {
        MemorySegment data = data();
        float d = Simd.f16(data, offset);
        int qh = data.get(Simd.LE_INT, offset + 2);
        for (int j = 0; j < 16; j++) {
            int q = Simd.u8(data, offset + 6 + j);
            int lo = (q & 0x0F) | (((qh >>> j) << 4) & 0x10);
            int hi = (q >>> 4) | ((qh >>> (j + 12)) & 0x10);
            out[outOffset + j] = (lo - 16) * d;
            out[outOffset + j + 16] = (hi - 16) * d;
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
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, offset += BLOCK_BYTES, xOffset += BLOCK) {
            IntVector qh = IntVector.broadcast(I, data.get(Simd.LE_INT, offset + 2));
            FloatVector sum = FloatVector.zero(F);
            for (int j = 0; j < 16; j += lanes) {
                IntVector q = Simd.bytesToInts(Simd.loadBytes(data, offset + 6 + j));
                IntVector lo = q.and(0x0F).or(Q5.highBit(qh, j)).sub(16);
                IntVector hi = q.lanewise(VectorOperators.ASHR, 4).and(0x0F).or(Q5.highBit(qh, j + 16)).sub(16);
                sum = ((FloatVector) lo.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(F, x, xOffset + j), sum);
                sum = ((FloatVector) hi.convert(VectorOperators.I2F, 0))
                        .fma(FloatVector.fromArray(F, x, xOffset + j + 16), sum);
            }
            acc = sum.fma(FloatVector.broadcast(F, Simd.f16(data, offset)), acc);
        }
        return VectorSums.ordered(acc);
    }
}
