package org.aloe4j.tensors;

import java.lang.foreign.Arena;
import org.aloe4j.formats.gguf.GGMLType;

/**
 * The checks of {@link Tensor#dot} against {@link Tensor#dotReference}, shared by {@link TensorDotTest} and
 * {@link KernelShapesMain} (which runs them in a JVM with another vector width).
 *
 * <p><b>Tolerance.</b> For the types with a min/offset term the kernels produce weights bit-identical to the
 * reference (one rounding of an exact product plus offset), and for the others they scale exact integer partial
 * sums; so what differs is the order of float roundings in the accumulation. Every product {@code w_j x_j} passes
 * through at most {@code k} roundings, with {@code k <= cols/L} along a lane's accumulator chain, {@code 2 *
 * block/L} inside a block's partial sum, {@code 2L} for lane reduction and scalar tail, and a few more for the final
 * sums and the reference's own rounding to float ({@code L} = float lanes, 1 for the scalar path). The classic bound
 * is then {@code |dot - ref| <= gamma_k * sum_j |w_j x_j|} with {@code gamma_k = k u / (1 - k u)}, {@code u =
 * 2^-24}. It is a worst-case bound (typical errors are far smaller), yet still tight enough to catch any wrongly
 * decoded value in the small-row and one-hot probes (there {@code sum |w x|} is one block or one element).
 */
final class DotChecks {
    private DotChecks() {}

    static final GGMLType[] TYPES = {GGMLType.F32, GGMLType.F16, GGMLType.BF16, GGMLType.Q8_0, GGMLType.Q4_0,
        GGMLType.Q4_1, GGMLType.Q5_0, GGMLType.Q5_1, GGMLType.Q2_K, GGMLType.Q3_K, GGMLType.Q4_K, GGMLType.Q5_K,
        GGMLType.Q6_K};

    static int[] rowLengths(GGMLType type) {
        return switch (type.blockSize) {
            case 1 -> new int[] {1, 3, 8, 15, 16, 17, 31, 33, 64, 100, 257, 1000, 4099};
            case 32 -> new int[] {32, 64, 96, 160, 544, 4096};
            default -> new int[] {256, 512, 768, 2816, 4096};
        };
    }

    /** Allowed |dot - reference| for a row of {@code cols} values of this type. */
    static double tolerance(GGMLType type, int cols, double sumAbsProducts) {
        int lanes = Simd.LANES;
        double k = (double) cols / lanes + 2.0 * type.blockSize / lanes + 2 * lanes + 8;
        double u = 0x1p-24;
        return k * u / (1 - k * u) * sumAbsProducts + Float.MIN_NORMAL;
    }

    static double sumAbsProducts(Tensor t, long row, float[] x, int xOffset) {
        float[] w = new float[t.cols()];
        t.dequantizeRow(row, w, 0);
        double sum = 0;
        for (int j = 0; j < w.length; j++) {
            sum += Math.abs((double) w[j] * x[xOffset + j]);
        }
        return sum;
    }

    /** Largest observed |dot - ref| / tolerance over all checks (for the report); throws on any violation. */
    static double checkRandomRows(GGMLType type, long seed) {
        double worst = 0;
        try (Arena arena = Arena.ofConfined()) {
            for (int cols : rowLengths(type)) {
                int rows = 3;
                Tensor t = RandomTensors.create(type, rows, cols, seed + cols, arena);
                int xOffset = 5;
                float[] x = RandomTensors.randomVector(cols + xOffset + 3, seed * 31 + cols);
                for (int row = 0; row < rows; row++) {
                    float dot = t.dot(row, x, xOffset);
                    float reference = t.dotReference(row, x, xOffset);
                    double allowed = tolerance(type, cols, sumAbsProducts(t, row, x, xOffset));
                    double diff = Math.abs((double) dot - reference);
                    if (!(diff <= allowed)) {
                        throw new AssertionError(type + " cols=" + cols + " row=" + row + ": dot " + dot
                                + " vs reference " + reference + " (|diff| " + diff + " > " + allowed + ")");
                    }
                    worst = Math.max(worst, diff / allowed);
                }
            }
        }
        return worst;
    }

    /**
     * Dot with unit vectors: {@code dot(row, e_j)} must give weight {@code j} (to within the bound for one term), for
     * every position of a two-block row. This pins down the position of every decoded value in the kernel.
     */
    static void checkOneHot(GGMLType type, long seed) {
        int cols = type.blockSize == 1 ? 2 * Simd.LANES + 5 : 2 * type.blockSize;
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = RandomTensors.create(type, 2, cols, seed, arena);
            float[] w = new float[cols];
            t.dequantizeRow(1, w, 0);
            float[] x = new float[cols];
            for (int j = 0; j < cols; j++) {
                x[j] = 1;
                float dot = t.dot(1, x, 0);
                x[j] = 0;
                double allowed = tolerance(type, cols, Math.abs(w[j]));
                if (!(Math.abs((double) dot - w[j]) <= allowed)) {
                    throw new AssertionError(type + " one-hot position " + j + ": dot " + dot + " but weight "
                            + w[j]);
                }
            }
        }
    }

    /** {@link Tensor#dequantizeBlocks} over every block range of a row equals {@link Tensor#dequantizeRow} bit for bit. */
    static void checkDequantizeBlocks(GGMLType type, long seed) {
        int blocks = type.blockSize == 1 ? 3 * Simd.LANES + 5 : 5;
        int cols = blocks * type.blockSize;
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = RandomTensors.create(type, 3, cols, seed, arena);
            float[] row = new float[cols];
            t.dequantizeRow(1, row, 0);
            for (int first = 0; first < blocks; first++) {
                for (int count = 0; first + count <= blocks; count++) {
                    float[] out = new float[cols + 3];
                    out[2 + count * type.blockSize] = Float.NaN;
                    t.dequantizeBlocks(1, first, count, out, 2);
                    for (int j = 0; j < count * type.blockSize; j++) {
                        if (Float.floatToRawIntBits(row[first * type.blockSize + j])
                                != Float.floatToRawIntBits(out[2 + j])) {
                            throw new AssertionError(type + " blocks " + first + "+" + count + " value " + j + ": "
                                    + out[2 + j] + " but dequantizeRow gives " + row[first * type.blockSize + j]);
                        }
                    }
                    if (!Float.isNaN(out[2 + count * type.blockSize])) {
                        throw new AssertionError(type + " dequantizeBlocks wrote past its range");
                    }
                }
            }
        }
    }

    /**
     * {@link Tensor#dotRowPair} (the float tile kernel where the type has one) equals {@link Tensor#dot} bit for bit
     * for rows {@code row} and {@code row + 1}, writing only its outputs (row's at a stride, row + 1's after each).
     */
    private static void checkDotRowPair(Tensor t, float[] x, int xOffset, int xStride, int n, int row) {
        checkPairOutputs(t.type() + " cols=" + t.cols() + " dotRowPair", row, n,
                (out, outOffset, outStride) -> t.dotRowPair(row, x, xOffset, xStride, n, out, outOffset, outStride),
                (r, i) -> t.dot(r, x, xOffset + i * xStride));
    }

    /** What a pair kernel computes alone: the result for weight row {@code row} and activation row {@code i}. */
    private interface Alone {
        float of(long row, int i);
    }

    /** A pair kernel called with an output array, an offset and a stride. */
    private interface PairCall {
        void fill(float[] out, int outOffset, int outStride);
    }

    /**
     * Calls a two-row kernel for weight rows {@code row}, {@code row + 1} and {@code n} activation rows, and checks
     * that it wrote exactly its outputs (row's at a stride, row + 1's after each) and that each equals the single-row
     * result bit for bit.
     */
    private static void checkPairOutputs(String what, long row, int n, PairCall call, Alone alone) {
        int outOffset = 1, outStride = 3;
        float[] out = new float[outOffset + n * outStride + 1];
        java.util.Arrays.fill(out, Float.NaN);
        call.fill(out, outOffset, outStride);
        for (int j = 0; j < out.length; j++) {
            int i = (j - outOffset) / outStride, k = (j - outOffset) % outStride;
            if (j < outOffset || i >= n || k > 1) {
                if (!Float.isNaN(out[j])) {
                    throw new AssertionError(what + " wrote outside its outputs at " + j);
                }
                continue;
            }
            float expected = alone.of(row + k, i);
            if (Float.floatToRawIntBits(out[j]) != Float.floatToRawIntBits(expected)) {
                throw new AssertionError(what + " n=" + n + " rows " + row + "+" + k + " act=" + i + ": pair kernel "
                        + out[j] + " but alone " + expected);
            }
        }
    }

    /**
     * {@link Tensor#dotRows} for 1..9 activation rows (strided, with offsets) equals {@link Tensor#dot} of each row
     * bit for bit, and writes nothing outside its strided outputs.
     */
    static void checkDotRows(GGMLType type, long seed) {
        int[] lengths = type.blockSize == 1 ? new int[] {3, 2 * Simd.LANES + 5, 3 * Simd.LANES + 3, 257}
                : new int[] {type.blockSize,
            (type.blockSize == 32 ? 18 : 3) * type.blockSize};
        try (Arena arena = Arena.ofConfined()) {
            for (int cols : lengths) {
                Tensor t = RandomTensors.create(type, 3, cols, seed + cols, arena);
                for (int n = 1; n <= 9; n++) {
                    int xOffset = 3, xStride = cols + 5, outOffset = 2, outStride = 3;
                    float[] x = RandomTensors.randomVector(xOffset + n * xStride, seed * 17 + n + cols);
                    for (int row = 0; row < 3; row++) {
                        float[] out = new float[outOffset + n * outStride + 1];
                        java.util.Arrays.fill(out, Float.NaN);
                        t.dotRows(row, x, xOffset, xStride, n, out, outOffset, outStride);
                        for (int j = 0; j < out.length; j++) {
                            int i = (j - outOffset) / outStride;
                            boolean written = j >= outOffset && (j - outOffset) % outStride == 0 && i < n;
                            if (!written) {
                                if (!Float.isNaN(out[j])) {
                                    throw new AssertionError(type + " dotRows wrote outside its outputs at " + j);
                                }
                                continue;
                            }
                            float expected = t.dot(row, x, xOffset + i * xStride);
                            if (Float.floatToRawIntBits(expected) != Float.floatToRawIntBits(out[j])) {
                                throw new AssertionError(type + " cols=" + cols + " n=" + n + " row=" + row
                                        + " activation row " + i + ": dotRows " + out[j] + " but dot " + expected);
                            }
                        }
                    }
                    for (int row = 0; row + 1 < 3; row++) {
                        checkDotRowPair(t, x, xOffset, xStride, n, row);
                    }
                }
            }
        }
    }

    /** The types with an integer kernel ({@link Tensor#dotQuantized}). */
    static final GGMLType[] INTEGER_TYPES = {GGMLType.Q8_0, GGMLType.Q4_0, GGMLType.Q4_K, GGMLType.Q6_K};

    /**
     * {@link Tensor#dotQuantized} against a float64 sum of the dequantized weights times the values the quantized
     * activations stand for, on random rows of several lengths (and scale ranges, since activations are random
     * floats of varying magnitude). Within a block the kernel's sums are exact; what rounds is each block's scaling
     * and the sum over blocks and lanes, which the {@link #tolerance} bound covers. Returns the worst |diff|/tolerance.
     */
    static double checkQuantizedRandomRows(GGMLType type, long seed) {
        double worst = 0;
        try (Arena arena = Arena.ofConfined()) {
            for (int cols : rowLengths(type)) {
                int rows = 3;
                Tensor t = RandomTensors.create(type, rows, cols, seed + cols, arena);
                ActivationFormat format = t.integerActivations();
                float[] x = RandomTensors.randomVector(2 * cols, seed * 31 + cols);
                for (int j = cols; j < 2 * cols; j++) {
                    x[j] *= 1e-3f * (j % 7 + 1); // a second row of smaller, uneven magnitudes
                }
                QuantizedActivations a = new QuantizedActivations().quantize(format, x, 2, cols);
                for (int i = 0; i < 2; i++) {
                    float[] values = new float[cols];
                    for (int j = 0; j < cols; j++) {
                        values[j] = a.value(i, j);
                    }
                    for (int row = 0; row < rows; row++) {
                        float dot = t.dotQuantized(row, a, i);
                        float reference = t.dotReference(row, values, 0);
                        double allowed = tolerance(type, cols, sumAbsProducts(t, row, values, 0));
                        double diff = Math.abs(dot - reference);
                        if (!(diff <= allowed)) {
                            throw new AssertionError(type + " integer kernel cols=" + cols + " row=" + row + " act=" + i
                                    + ": " + dot + " vs reference " + reference + " (|diff| " + diff + " > " + allowed + ")");
                        }
                        worst = Math.max(worst, diff / allowed);
                    }
                }
            }
        }
        return worst;
    }

    /**
     * {@link Tensor#dotQuantized} with one-hot activations picks each weight: quantized, {@code e_j} becomes q = 127
     * at {@code j} with scale {@code 1/127} (as stored), so the result must be {@code w_j * value_j} up to one rounding.
     */
    static void checkQuantizedOneHot(GGMLType type, long seed) {
        int cols = 2 * type.blockSize;
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = RandomTensors.create(type, 2, cols, seed, arena);
            float[] w = new float[cols];
            t.dequantizeRow(1, w, 0);
            double maxAbs = 0;
            for (float v : w) {
                maxAbs = Math.max(maxAbs, Math.abs(v));
            }
            float[] x = new float[cols];
            QuantizedActivations a = new QuantizedActivations();
            for (int j = 0; j < cols; j++) {
                x[j] = 1;
                a.quantize(t.integerActivations(), x, 1, cols);
                x[j] = 0;
                double expected = (double) w[j] * a.value(0, j);
                float dot = t.dotQuantized(1, a, 0);
                // a few roundings of the block scaling and (K-quants) of scale and min terms of the row's magnitude
                if (!(Math.abs(dot - expected) <= maxAbs * Math.abs(a.value(0, j)) * 0x1p-20 + Float.MIN_NORMAL)) {
                    throw new AssertionError(type + " integer kernel, one-hot position " + j + ": " + dot
                            + " but weight x activation is " + expected);
                }
            }
        }
    }

    /**
     * {@link Tensor#dotRowPairQuantized} (the tile kernels where the type has them) equals {@link Tensor#dotQuantized}
     * bit for bit for every pair of adjacent rows, writing only its outputs (row's at a stride, row + 1's after each).
     */
    private static void checkRowPairs(Tensor t, QuantizedActivations a, int n) {
        for (int row = 0; row + 1 < t.rows(); row++) {
            long r0 = row;
            checkPairOutputs(t.type() + " dotRowPairQuantized", row, n,
                    (out, outOffset, outStride) -> t.dotRowPairQuantized(r0, a, 0, n, out, outOffset, outStride),
                    (r, i) -> t.dotQuantized(r, a, i));
        }
    }

    /**
     * {@link Tensor#dotRowsQuantized} for 1..9 activation rows equals {@link Tensor#dotQuantized} of each bit for bit
     * (a sequence's logits must not depend on what it is batched with), writing only its strided outputs; and
     * {@link MatMul#matmul(Tensor, float[], int, float[], ActivationFormat)} gives the same numbers.
     */
    static void checkQuantizedRows(GGMLType type, long seed) {
        int cols = 3 * type.blockSize * (type.blockSize == 32 ? 6 : 1);
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = RandomTensors.create(type, 5, cols, seed, arena);
            ActivationFormat format = t.integerActivations();
            for (int n = 1; n <= 9; n++) {
                float[] x = RandomTensors.randomVector(n * cols, seed * 13 + n);
                QuantizedActivations a = new QuantizedActivations().quantize(format, x, n, cols);
                float[] viaMatMul = new float[n * 5];
                MatMul.matmul(t, x, n, viaMatMul, format);
                for (int row = 0; row < 5; row++) {
                    int outOffset = 2, outStride = 3;
                    float[] out = new float[outOffset + n * outStride + 1];
                    java.util.Arrays.fill(out, Float.NaN);
                    t.dotRowsQuantized(row, a, 0, n, out, outOffset, outStride);
                    for (int j = 0; j < out.length; j++) {
                        int i = (j - outOffset) / outStride;
                        boolean written = j >= outOffset && (j - outOffset) % outStride == 0 && i < n;
                        if (!written) {
                            if (!Float.isNaN(out[j])) {
                                throw new AssertionError(type + " dotRowsQuantized wrote outside its outputs at " + j);
                            }
                            continue;
                        }
                        float alone = t.dotQuantized(row, a, i);
                        if (Float.floatToRawIntBits(out[j]) != Float.floatToRawIntBits(alone)) {
                            throw new AssertionError(type + " n=" + n + " row=" + row + " act=" + i + ": batched "
                                    + out[j] + " but alone " + alone);
                        }
                        if (Float.floatToRawIntBits(viaMatMul[i * 5 + row]) != Float.floatToRawIntBits(alone)) {
                            throw new AssertionError(type + " n=" + n + " row=" + row + " act=" + i + ": MatMul "
                                    + viaMatMul[i * 5 + row] + " but dotQuantized " + alone);
                        }
                    }
                }
                checkRowPairs(t, a, n);
            }
        }
    }
}
