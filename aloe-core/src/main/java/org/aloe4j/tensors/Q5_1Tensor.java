package org.aloe4j.tensors;

import static org.aloe4j.tensors.Simd.F;
import static org.aloe4j.tensors.Simd.I;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import org.aloe4j.formats.gguf.GGMLType;

/**
 * ggml {@code block_q5_1}: 32 values in 24 bytes, {@code d} and {@code m} (fp16), {@code qh} (uint32 of fifth bits),
 * 16 bytes {@code qs}; layout of the 5-bit {@code q} as in Q5_0; {@code w = q * d + m}.
 */
public final class Q5_1Tensor extends Tensor {
    private static final int BLOCK = 32;
    private static final int BLOCK_BYTES = 24;

    public Q5_1Tensor(String name, MemorySegment data, long rows, int cols) {
        super(name, GGMLType.Q5_1, data, rows, cols);
    }

    @Override
    protected void dequantizeBlock(long offset, float[] out, int outOffset) {
        MemorySegment data = data();
        float d = Simd.f16(data, offset);
        float m = Simd.f16(data, offset + 2);
        int qh = data.get(Simd.LE_INT, offset + 4);
        for (int j = 0; j < 16; j++) {
            int q = Simd.u8(data, offset + 8 + j);
            int lo = (q & 0x0F) | (((qh >>> j) << 4) & 0x10);
            int hi = (q >>> 4) | ((qh >>> (j + 12)) & 0x10);
            out[outOffset + j] = lo * d + m;
            out[outOffset + j + 16] = hi * d + m;
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
        // weights by fma(q, d, m): bit-exact with the reference (q * d is exact), see Q4_1Tensor
        FloatVector accLo = FloatVector.zero(F), accHi = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++, offset += BLOCK_BYTES, xOffset += BLOCK) {
            IntVector qh = IntVector.broadcast(I, data.get(Simd.LE_INT, offset + 4));
            FloatVector d = FloatVector.broadcast(F, Simd.f16(data, offset));
            FloatVector m = FloatVector.broadcast(F, Simd.f16(data, offset + 2));
            for (int j = 0; j < 16; j += lanes) {
                IntVector q = Simd.bytesToInts(Simd.loadBytes(data, offset + 8 + j));
                IntVector lo = q.and(0x0F).or(Q5.highBit(qh, j));
                IntVector hi = q.lanewise(VectorOperators.ASHR, 4).and(0x0F).or(Q5.highBit(qh, j + 16));
                FloatVector wLo = ((FloatVector) lo.convert(VectorOperators.I2F, 0)).fma(d, m);
                FloatVector wHi = ((FloatVector) hi.convert(VectorOperators.I2F, 0)).fma(d, m);
                accLo = wLo.fma(FloatVector.fromArray(F, x, xOffset + j), accLo);
                accHi = wHi.fma(FloatVector.fromArray(F, x, xOffset + j + 16), accHi);
            }
        }
        return VectorSums.ordered(accLo.add(accHi));
    }
}
