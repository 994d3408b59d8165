package org.aloe4j.tensors;

import static org.aloe4j.tensors.Simd.F;
import static org.aloe4j.tensors.Simd.LE;
import static org.aloe4j.tensors.Simd.LE_SHORT;
import static org.aloe4j.tensors.Simd.S;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import org.aloe4j.formats.gguf.GGMLType;

/** bfloat16 (the upper 16 bits of an IEEE float), 2 bytes a value. */
public final class BF16Tensor extends Tensor {

    public BF16Tensor(String name, MemorySegment data, long rows, int cols) {
        super(name, GGMLType.BF16, data, rows, cols);
    }

    @Override
    public void dequantizeRow(long row, float[] out, int outOffset) {
        checkRow(row);
        Objects.checkFromIndexSize(outOffset, cols(), out.length);
        MemorySegment data = data();
        long base = row * rowBytes();
        for (int j = 0, n = cols(); j < n; j++) {
            out[outOffset + j] = bf16(data.get(LE_SHORT, base + 2L * j));
        }
    }

    @Override
    protected void dequantizeBlock(long offset, float[] out, int outOffset) {
        out[outOffset] = bf16(data().get(LE_SHORT, offset));
    }

    @Override
    protected void decodeBlocks(long offset, int blocks, float[] out, int outOffset) {
        MemorySegment data = data();
        int j = 0;
        if (Simd.ENABLED) {
            int lanes = F.length();
            for (int bound = blocks - lanes; j <= bound; j += lanes) {
                Simd.bf16ToFloat(ShortVector.fromMemorySegment(S, data, offset + 2L * j, LE)).intoArray(out, outOffset + j);
            }
        }
        for (; j < blocks; j++) {
            out[outOffset + j] = bf16(data.get(LE_SHORT, offset + 2L * j));
        }
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
            FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
            for (int bound = cols - 2 * lanes; j <= bound; j += 2 * lanes) {
                long o = base + 2L * j;
                FloatVector w0 = Simd.bf16ToFloat(ShortVector.fromMemorySegment(S, data, o, LE));
                FloatVector w1 = Simd.bf16ToFloat(ShortVector.fromMemorySegment(S, data, o + 2L * lanes, LE));
                acc0 = w0.fma(FloatVector.fromArray(F, x, xOffset + j), acc0);
                acc1 = w1.fma(FloatVector.fromArray(F, x, xOffset + j + lanes), acc1);
            }
            for (int bound = cols - lanes; j <= bound; j += lanes) {
                FloatVector w = Simd.bf16ToFloat(ShortVector.fromMemorySegment(S, data, base + 2L * j, LE));
                acc0 = w.fma(FloatVector.fromArray(F, x, xOffset + j), acc0);
            }
            sum = VectorSums.ordered(acc0.add(acc1));
        }
        for (; j < cols; j++) {
            sum += bf16(data.get(LE_SHORT, base + 2L * j)) * x[xOffset + j];
        }
        return sum;
    }

    @Override
    protected boolean hasBatchedKernel() {
        return true;
    }

    /** {@link #dot} for four activation rows, each weight vector converted once: per row the same operations. */
    @Override
    protected void dot4(long base, float[] x, int x0, int x1, int x2, int x3, float[] out, int o0, int o1, int o2,
            int o3, float[] reduce) {
        MemorySegment data = data();
        int cols = cols();
        int lanes = F.length();
        int j = 0;
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        for (int bound = cols - 2 * lanes; j <= bound; j += 2 * lanes) {
            long o = base + 2L * j;
            FloatVector w0 = Simd.bf16ToFloat(ShortVector.fromMemorySegment(S, data, o, LE));
            FloatVector w1 = Simd.bf16ToFloat(ShortVector.fromMemorySegment(S, data, o + 2L * lanes, LE));
            a0 = w0.fma(FloatVector.fromArray(F, x, x0 + j), a0);
            b0 = w1.fma(FloatVector.fromArray(F, x, x0 + j + lanes), b0);
            a1 = w0.fma(FloatVector.fromArray(F, x, x1 + j), a1);
            b1 = w1.fma(FloatVector.fromArray(F, x, x1 + j + lanes), b1);
            a2 = w0.fma(FloatVector.fromArray(F, x, x2 + j), a2);
            b2 = w1.fma(FloatVector.fromArray(F, x, x2 + j + lanes), b2);
            a3 = w0.fma(FloatVector.fromArray(F, x, x3 + j), a3);
            b3 = w1.fma(FloatVector.fromArray(F, x, x3 + j + lanes), b3);
        }
        for (int bound = cols - lanes; j <= bound; j += lanes) {
            FloatVector w = Simd.bf16ToFloat(ShortVector.fromMemorySegment(S, data, base + 2L * j, LE));
            a0 = w.fma(FloatVector.fromArray(F, x, x0 + j), a0);
            a1 = w.fma(FloatVector.fromArray(F, x, x1 + j), a1);
            a2 = w.fma(FloatVector.fromArray(F, x, x2 + j), a2);
            a3 = w.fma(FloatVector.fromArray(F, x, x3 + j), a3);
        }
        a0.add(b0).intoArray(reduce, 0);
        a1.add(b1).intoArray(reduce, lanes);
        a2.add(b2).intoArray(reduce, 2 * lanes);
        a3.add(b3).intoArray(reduce, 3 * lanes);
        float sum0 = VectorSums.ordered(reduce, 0, lanes);
        float sum1 = VectorSums.ordered(reduce, lanes, lanes);
        float sum2 = VectorSums.ordered(reduce, 2 * lanes, lanes);
        float sum3 = VectorSums.ordered(reduce, 3 * lanes, lanes);
        for (; j < cols; j++) {
            float w = bf16(data.get(LE_SHORT, base + 2L * j));
            sum0 += w * x[x0 + j];
            sum1 += w * x[x1 + j];
            sum2 += w * x[x2 + j];
            sum3 += w * x[x3 + j];
        }
        out[o0] = sum0;
        out[o1] = sum1;
        out[o2] = sum2;
        out[o3] = sum3;
    }

    @Override
    protected boolean hasFloatTileKernel() {
        return F.length() == 16;
    }

    /**
     * {@link #dot} for two weight rows x two activation rows: each activation vector loaded once for both weight
     * rows, each weight vector converted once for both activation rows, and every pair given the operations of
     * {@link #dot} (its two alternating accumulators, its tails), so the results are the same bits. Used for the
     * activation rows that {@link #tile2x4} leaves (two or three).
     */
    @Override
    protected void tile2x2(long base0, long base1, float[] x, int x0, int x1, float[] out, int o0, int o1,
            float[] reduce) {
        MemorySegment data = data();
        int cols = cols();
        int j = 0;
        FloatVector zero = FloatVector.zero(F);
        FloatVector a00 = zero, a01 = zero, a10 = zero, a11 = zero, b00 = zero, b01 = zero, b10 = zero, b11 = zero;
        for (int bound = cols - 32; j <= bound; j += 32) {
            FloatVector w0 = Simd.bf16ToFloat(ShortVector.fromMemorySegment(S, data, base0 + 2L * j, LE));
            FloatVector w1 = Simd.bf16ToFloat(ShortVector.fromMemorySegment(S, data, base1 + 2L * j, LE));
            FloatVector v0 = FloatVector.fromArray(F, x, x0 + j), v1 = FloatVector.fromArray(F, x, x1 + j);
            a00 = w0.fma(v0, a00);
            a01 = w0.fma(v1, a01);
            a10 = w1.fma(v0, a10);
            a11 = w1.fma(v1, a11);
            w0 = Simd.bf16ToFloat(ShortVector.fromMemorySegment(S, data, base0 + 2L * j + 32, LE));
            w1 = Simd.bf16ToFloat(ShortVector.fromMemorySegment(S, data, base1 + 2L * j + 32, LE));
            v0 = FloatVector.fromArray(F, x, x0 + j + 16);
            v1 = FloatVector.fromArray(F, x, x1 + j + 16);
            b00 = w0.fma(v0, b00);
            b01 = w0.fma(v1, b01);
            b10 = w1.fma(v0, b10);
            b11 = w1.fma(v1, b11);
        }
        if (j <= cols - 16) {
            FloatVector w0 = Simd.bf16ToFloat(ShortVector.fromMemorySegment(S, data, base0 + 2L * j, LE));
            FloatVector w1 = Simd.bf16ToFloat(ShortVector.fromMemorySegment(S, data, base1 + 2L * j, LE));
            FloatVector v0 = FloatVector.fromArray(F, x, x0 + j), v1 = FloatVector.fromArray(F, x, x1 + j);
            a00 = w0.fma(v0, a00);
            a01 = w0.fma(v1, a01);
            a10 = w1.fma(v0, a10);
            a11 = w1.fma(v1, a11);
            j += 16;
        }
        a00.add(b00).intoArray(reduce, 0);
        a01.add(b01).intoArray(reduce, 16);
        a10.add(b10).intoArray(reduce, 32);
        a11.add(b11).intoArray(reduce, 48);
        float s00 = VectorSums.ordered(reduce, 0, 16), s01 = VectorSums.ordered(reduce, 16, 16);
        float s10 = VectorSums.ordered(reduce, 32, 16), s11 = VectorSums.ordered(reduce, 48, 16);
        for (; j < cols; j++) {
            float w0 = bf16(data.get(LE_SHORT, base0 + 2L * j)), w1 = bf16(data.get(LE_SHORT, base1 + 2L * j));
            s00 += w0 * x[x0 + j];
            s01 += w0 * x[x1 + j];
            s10 += w1 * x[x0 + j];
            s11 += w1 * x[x1 + j];
        }
        out[o0] = s00;
        out[o1] = s01;
        out[o0 + 1] = s10;
        out[o1 + 1] = s11;
    }

    /**
     * {@link #tile2x2} for four activation rows: sixteen accumulators (two per pair, as in {@link #dot}), two weight
     * vectors and an activation vector, 19 of AVX-512's 32 registers. Twice the multiply-adds per weight conversion
     * and per activation load of the 2 x 2 tile: 1.1-1.3x per pair at 5632 x 2048 (docs/performance.md).
     */
    @Override
    protected void tile2x4(long base0, long base1, float[] x, int x0, int x1, int x2, int x3, float[] out, int o0,
            int o1, int o2, int o3, float[] reduce) {
        MemorySegment data = data();
        int cols = cols();
        int j = 0;
        FloatVector zero = FloatVector.zero(F);
        FloatVector a00 = zero, a01 = zero, a02 = zero, a03 = zero, a10 = zero, a11 = zero, a12 = zero, a13 = zero;
        FloatVector b00 = zero, b01 = zero, b02 = zero, b03 = zero, b10 = zero, b11 = zero, b12 = zero, b13 = zero;
        for (int bound = cols - 32; j <= bound; j += 32) {
            FloatVector w0 = Simd.bf16ToFloat(ShortVector.fromMemorySegment(S, data, base0 + 2L * j, LE));
            FloatVector w1 = Simd.bf16ToFloat(ShortVector.fromMemorySegment(S, data, base1 + 2L * j, LE));
            FloatVector v = FloatVector.fromArray(F, x, x0 + j);
            a00 = w0.fma(v, a00);
            a10 = w1.fma(v, a10);
            v = FloatVector.fromArray(F, x, x1 + j);
            a01 = w0.fma(v, a01);
            a11 = w1.fma(v, a11);
            v = FloatVector.fromArray(F, x, x2 + j);
            a02 = w0.fma(v, a02);
            a12 = w1.fma(v, a12);
            v = FloatVector.fromArray(F, x, x3 + j);
            a03 = w0.fma(v, a03);
            a13 = w1.fma(v, a13);
            w0 = Simd.bf16ToFloat(ShortVector.fromMemorySegment(S, data, base0 + 2L * j + 32, LE));
            w1 = Simd.bf16ToFloat(ShortVector.fromMemorySegment(S, data, base1 + 2L * j + 32, LE));
            v = FloatVector.fromArray(F, x, x0 + j + 16);
            b00 = w0.fma(v, b00);
            b10 = w1.fma(v, b10);
            v = FloatVector.fromArray(F, x, x1 + j + 16);
            b01 = w0.fma(v, b01);
            b11 = w1.fma(v, b11);
            v = FloatVector.fromArray(F, x, x2 + j + 16);
            b02 = w0.fma(v, b02);
            b12 = w1.fma(v, b12);
            v = FloatVector.fromArray(F, x, x3 + j + 16);
            b03 = w0.fma(v, b03);
            b13 = w1.fma(v, b13);
        }
        if (j <= cols - 16) {
            FloatVector w0 = Simd.bf16ToFloat(ShortVector.fromMemorySegment(S, data, base0 + 2L * j, LE));
            FloatVector w1 = Simd.bf16ToFloat(ShortVector.fromMemorySegment(S, data, base1 + 2L * j, LE));
            FloatVector v = FloatVector.fromArray(F, x, x0 + j);
            a00 = w0.fma(v, a00);
            a10 = w1.fma(v, a10);
            v = FloatVector.fromArray(F, x, x1 + j);
            a01 = w0.fma(v, a01);
            a11 = w1.fma(v, a11);
            v = FloatVector.fromArray(F, x, x2 + j);
            a02 = w0.fma(v, a02);
            a12 = w1.fma(v, a12);
            v = FloatVector.fromArray(F, x, x3 + j);
            a03 = w0.fma(v, a03);
            a13 = w1.fma(v, a13);
            j += 16;
        }
        a00.add(b00).intoArray(reduce, 0);
        a01.add(b01).intoArray(reduce, 16);
        a02.add(b02).intoArray(reduce, 32);
        a03.add(b03).intoArray(reduce, 48);
        a10.add(b10).intoArray(reduce, 64);
        a11.add(b11).intoArray(reduce, 80);
        a12.add(b12).intoArray(reduce, 96);
        a13.add(b13).intoArray(reduce, 112);
        reduceTile(reduce, out, o0, o1, o2, o3);
        for (; j < cols; j++) { // the scalar tail of dot, added to the reduced sums as dot adds it
            float w0 = bf16(data.get(LE_SHORT, base0 + 2L * j)), w1 = bf16(data.get(LE_SHORT, base1 + 2L * j));
            out[o0] += w0 * x[x0 + j];
            out[o1] += w0 * x[x1 + j];
            out[o2] += w0 * x[x2 + j];
            out[o3] += w0 * x[x3 + j];
            out[o0 + 1] += w1 * x[x0 + j];
            out[o1 + 1] += w1 * x[x1 + j];
            out[o2 + 1] += w1 * x[x2 + j];
            out[o3 + 1] += w1 * x[x3 + j];
        }
    }

    /** ggml {@code GGML_BF16_TO_FP32}: the 16 bits become the upper half of the float. */
    static float bf16(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }
}
