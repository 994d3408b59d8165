package org.aloe4j.tensors;

import static org.aloe4j.tensors.Simd.F;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import org.aloe4j.formats.gguf.GGMLType;

/**
 * ggml {@code block_q4_1}: 32 values in 20 bytes, {@code d} and {@code m} (fp16) then 16 bytes {@code qs} (nibbles
 * as in Q4_0); {@code w = nibble * d + m}.
 */
public final class Q4_1Tensor extends Tensor {
    private static final int BLOCK = 32;
    private static final int BLOCK_BYTES = 20;

    public Q4_1Tensor(String name, MemorySegment data, long rows, int cols) {
        super(name, GGMLType.Q4_1, data, rows, cols);
    }

    @Override
    protected void dequantizeBlock(long offset, float[] out, int outOffset) {
        MemorySegment data = data();
        float d = Simd.f16(data, offset);
        float m = Simd.f16(data, offset + 2);
        for (int j = 0; j < 16; j++) {
            int q = Simd.u8(data, offset + 4 + j);
            out[outOffset + j] = (q & 0x0F) * d + m;
            out[outOffset + j + 16] = (q >>> 4) * d + m;
        }
    }

    @Override
    public float minsDot(long row, float[] c, int cOffset) {
        return blockFp16Dot(row, 2, c, cOffset);
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
        // fma(q, d, m) rounds the exact q * d + m once, as the reference does: the weights are bit-exact and only
        // the accumulation differs (no cancellation between a scaled sum and a min term)
        FloatVector accLo = FloatVector.zero(F), accHi = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, offset += BLOCK_BYTES, xOffset += BLOCK) {
            FloatVector d = FloatVector.broadcast(F, Simd.f16(data, offset));
            FloatVector m = FloatVector.broadcast(F, Simd.f16(data, offset + 2));
            for (int j = 0; j < 16; j += lanes) {
                ByteVector q = Simd.loadBytes(data, offset + 4 + j);
                FloatVector lo = Simd.bytesToFloats(q.and((byte) 0x0F)).fma(d, m);
                FloatVector hi = Simd.bytesToFloats(Simd.shiftRightBytes(q, 4).and((byte) 0x0F)).fma(d, m);
                accLo = lo.fma(FloatVector.fromArray(F, x, xOffset + j), accLo);
                accHi = hi.fma(FloatVector.fromArray(F, x, xOffset + j + 16), accHi);
            }
        }
        return VectorSums.ordered(accLo.add(accHi));
    }
}
