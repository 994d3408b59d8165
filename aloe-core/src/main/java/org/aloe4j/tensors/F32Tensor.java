package org.aloe4j.tensors;

import static org.aloe4j.tensors.Simd.F;
import static org.aloe4j.tensors.Simd.LE;
import static org.aloe4j.tensors.Simd.LE_FLOAT;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import org.aloe4j.formats.gguf.GGMLType;

/** IEEE single precision, 4 bytes a value. */
public final class F32Tensor extends Tensor {

    public F32Tensor(String name, MemorySegment data, long rows, int cols) {
        super(name, GGMLType.F32, data, rows, cols);
    }

    @Override
    public void dequantizeRow(long row, float[] out, int outOffset) {
        checkRow(row);
        Objects.checkFromIndexSize(outOffset, cols(), out.length);
        MemorySegment.copy(data(), LE_FLOAT, row * rowBytes(), out, outOffset, cols());
    }

    @Override
    protected void dequantizeBlock(long offset, float[] out, int outOffset) {
        out[outOffset] = data().get(LE_FLOAT, offset);
    }

    @Override
    protected void decodeBlocks(long offset, int blocks, float[] out, int outOffset) {
        MemorySegment.copy(data(), LE_FLOAT, offset, out, outOffset, blocks);
    }

    @Override
    public float dot(long row, float[] x, int xOffset) {
        long base = rowOffsetForDot(row, x, xOffset);
        MemorySegment data = data();
        int cols = cols();
        int j = 0;
        float sum = 0;
        if (Simd.ENABLED) {
            int lanes = F.length();
            // four independent accumulators hide the FMA latency
            FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
            FloatVector acc2 = FloatVector.zero(F), acc3 = FloatVector.zero(F);
            for (int bound = cols - 4 * lanes; j <= bound; j += 4 * lanes) {
                long o = base + 4L * j;
                acc0 = FloatVector.fromMemorySegment(F, data, o, LE)
                        .fma(FloatVector.fromArray(F, x, xOffset + j), acc0);
                acc1 = FloatVector.fromMemorySegment(F, data, o + 4L * lanes, LE)
                        .fma(FloatVector.fromArray(F, x, xOffset + j + lanes), acc1);
                acc2 = FloatVector.fromMemorySegment(F, data, o + 8L * lanes, LE)
                        .fma(FloatVector.fromArray(F, x, xOffset + j + 2 * lanes), acc2);
                acc3 = FloatVector.fromMemorySegment(F, data, o + 12L * lanes, LE)
                        .fma(FloatVector.fromArray(F, x, xOffset + j + 3 * lanes), acc3);
            }
            for (int bound = cols - lanes; j <= bound; j += lanes) {
                acc0 = FloatVector.fromMemorySegment(F, data, base + 4L * j, LE)
                        .fma(FloatVector.fromArray(F, x, xOffset + j), acc0);
            }
            sum = VectorSums.ordered(acc0.add(acc1).add(acc2.add(acc3)));
        }
        for (; j < cols; j++) {
            sum += data.get(LE_FLOAT, base + 4L * j) * x[xOffset + j];
        }
        return sum;
    }
}
