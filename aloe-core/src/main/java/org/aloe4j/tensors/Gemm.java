package org.aloe4j.tensors;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The batched product behind {@link MatMul#matmul} for two or more activation rows (prompt processing): each weight
 * is decoded once, into a small float buffer, and then multiplied with every activation row.
 *
 * <p>Blocking: the columns are cut into chunks of {@link #CHUNK} values, so that the activation rows' chunk stays in
 * the L2 cache while a thread walks its weight rows; the weight rows go {@link #ROWS} at a time (decoded into an
 * L1-sized buffer), and the register kernel multiplies {@link #ROWS} weight rows with {@link #ACTS} activation rows at
 * once, so each vector load feeds several FMAs. The decoded weights are the reference values bit for bit, so the
 * result differs from row-by-row {@link Tensor#dotReference} only by float summation order.
 */
final class Gemm {
    private Gemm() {}

    /** Weight rows decoded together and multiplied in one register kernel. */
    static final int ROWS = 4;
    /** Activation rows per register kernel: 4 x 3 accumulators plus 7 operands fit the 16 (or 32) vector registers. */
    static final int ACTS = 3;
    /** Columns per chunk: a multiple of every block size (256) and of any vector length. */
    static final int CHUNK = 1024;

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    /** Per thread: {@link #ROWS} decoded weight rows of one chunk. */
    private static final ThreadLocal<float[]> DECODED = ThreadLocal.withInitial(() -> new float[ROWS * CHUNK]);

    /**
     * {@code out[i * w.rows() + r] = sum_j w[r][j] * x[i * cols + j]} for the weight rows {@code [start, end)} and all
     * {@code n} activation rows.
     */
    static void rows(Tensor w, float[] x, int n, float[] out, int start, int end) {
        int cols = w.cols();
        int rows = (int) w.rows();
        int blockSize = w.type().blockSize;
        float[] decoded = DECODED.get();
        for (int k0 = 0; k0 < cols; k0 += CHUNK) {
            int kc = Math.min(CHUNK, cols - k0);
            boolean first = k0 == 0;
            int r = start;
            for (; r + ROWS <= end; r += ROWS) {
                for (int i = 0; i < ROWS; i++) {
                    w.dequantizeBlocks(r + i, k0 / blockSize, kc / blockSize, decoded, i * CHUNK);
                }
                int a = 0;
                for (; a + ACTS <= n; a += ACTS) {
                    kernel4x3(decoded, x, a * cols + k0, cols, kc, out, a * rows + r, rows, first);
                }
                for (; a < n; a++) {
                    kernel4x1(decoded, x, a * cols + k0, kc, out, a * rows + r, first);
                }
            }
            for (; r < end; r++) {
                w.dequantizeBlocks(r, k0 / blockSize, kc / blockSize, decoded, 0);
                for (int a = 0; a < n; a++) {
                    float s = dot(decoded, 0, x, a * cols + k0, kc);
                    int o = a * rows + r;
                    out[o] = first ? s : out[o] + s;
                }
            }
        }
    }

    /** Weight rows {@code decoded[i * CHUNK ..]} (i < 4) times activation rows {@code x[xo + a * stride ..]} (a < 3). */
    private static void kernel4x3(float[] decoded, float[] x, int xo, int stride, int kc, float[] out, int oo,
            int outStride, boolean first) {
        int lanes = F.length();
        int w1 = CHUNK, w2 = 2 * CHUNK, w3 = 3 * CHUNK;
        int x1 = xo + stride, x2 = xo + 2 * stride;
        FloatVector c00 = FloatVector.zero(F), c01 = FloatVector.zero(F), c02 = FloatVector.zero(F);
        FloatVector c10 = FloatVector.zero(F), c11 = FloatVector.zero(F), c12 = FloatVector.zero(F);
        FloatVector c20 = FloatVector.zero(F), c21 = FloatVector.zero(F), c22 = FloatVector.zero(F);
        FloatVector c30 = FloatVector.zero(F), c31 = FloatVector.zero(F), c32 = FloatVector.zero(F);
        int j = 0;
        for (int bound = kc - lanes; j <= bound; j += lanes) {
            FloatVector a0 = FloatVector.fromArray(F, x, xo + j);
            FloatVector a1 = FloatVector.fromArray(F, x, x1 + j);
            FloatVector a2 = FloatVector.fromArray(F, x, x2 + j);
            FloatVector b = FloatVector.fromArray(F, decoded, j);
            c00 = b.fma(a0, c00);
            c01 = b.fma(a1, c01);
            c02 = b.fma(a2, c02);
            b = FloatVector.fromArray(F, decoded, w1 + j);
            c10 = b.fma(a0, c10);
            c11 = b.fma(a1, c11);
            c12 = b.fma(a2, c12);
            b = FloatVector.fromArray(F, decoded, w2 + j);
            c20 = b.fma(a0, c20);
            c21 = b.fma(a1, c21);
            c22 = b.fma(a2, c22);
            b = FloatVector.fromArray(F, decoded, w3 + j);
            c30 = b.fma(a0, c30);
            c31 = b.fma(a1, c31);
            c32 = b.fma(a2, c32);
        }
        store(out, oo, first, c00, decoded, 0, x, xo, j, kc);
        store(out, oo + outStride, first, c01, decoded, 0, x, x1, j, kc);
        store(out, oo + 2 * outStride, first, c02, decoded, 0, x, x2, j, kc);
        store(out, oo + 1, first, c10, decoded, w1, x, xo, j, kc);
        store(out, oo + 1 + outStride, first, c11, decoded, w1, x, x1, j, kc);
        store(out, oo + 1 + 2 * outStride, first, c12, decoded, w1, x, x2, j, kc);
        store(out, oo + 2, first, c20, decoded, w2, x, xo, j, kc);
        store(out, oo + 2 + outStride, first, c21, decoded, w2, x, x1, j, kc);
        store(out, oo + 2 + 2 * outStride, first, c22, decoded, w2, x, x2, j, kc);
        store(out, oo + 3, first, c30, decoded, w3, x, xo, j, kc);
        store(out, oo + 3 + outStride, first, c31, decoded, w3, x, x1, j, kc);
        store(out, oo + 3 + 2 * outStride, first, c32, decoded, w3, x, x2, j, kc);
    }

    /** Four weight rows times one activation row. */
    private static void kernel4x1(float[] decoded, float[] x, int xo, int kc, float[] out, int oo, boolean first) {
        int lanes = F.length();
        int w1 = CHUNK, w2 = 2 * CHUNK, w3 = 3 * CHUNK;
        FloatVector c0 = FloatVector.zero(F), c1 = FloatVector.zero(F);
        FloatVector c2 = FloatVector.zero(F), c3 = FloatVector.zero(F);
        int j = 0;
        for (int bound = kc - lanes; j <= bound; j += lanes) {
            FloatVector a = FloatVector.fromArray(F, x, xo + j);
            c0 = FloatVector.fromArray(F, decoded, j).fma(a, c0);
            c1 = FloatVector.fromArray(F, decoded, w1 + j).fma(a, c1);
            c2 = FloatVector.fromArray(F, decoded, w2 + j).fma(a, c2);
            c3 = FloatVector.fromArray(F, decoded, w3 + j).fma(a, c3);
        }
        store(out, oo, first, c0, decoded, 0, x, xo, j, kc);
        store(out, oo + 1, first, c1, decoded, w1, x, xo, j, kc);
        store(out, oo + 2, first, c2, decoded, w2, x, xo, j, kc);
        store(out, oo + 3, first, c3, decoded, w3, x, xo, j, kc);
    }

    /** Reduces an accumulator, adds the scalar tail {@code [j, kc)} and writes (first chunk) or adds it to out. */
    private static void store(float[] out, int o, boolean first, FloatVector acc, float[] w, int wo, float[] x, int xo,
            int j, int kc) {
        float s = VectorSums.ordered(acc);
        for (; j < kc; j++) {
            s += w[wo + j] * x[xo + j];
        }
        out[o] = first ? s : out[o] + s;
    }

    private static float dot(float[] w, int wo, float[] x, int xo, int n) {
        int lanes = F.length();
        FloatVector acc = FloatVector.zero(F);
        int j = 0;
        for (int bound = n - lanes; j <= bound; j += lanes) {
            acc = FloatVector.fromArray(F, w, wo + j).fma(FloatVector.fromArray(F, x, xo + j), acc);
        }
        float s = VectorSums.ordered(acc);
        for (; j < n; j++) {
            s += w[wo + j] * x[xo + j];
        }
        return s;
    }
}
