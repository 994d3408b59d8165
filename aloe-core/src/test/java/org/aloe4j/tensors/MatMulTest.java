package org.aloe4j.tensors;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import org.aloe4j.formats.gguf.GGMLType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** matvec and matmul against row-by-row {@link Tensor#dotReference}, on one and several threads. */
class MatMulTest {
    private static final int ORIGINAL_THREADS = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(ORIGINAL_THREADS);
    }

    /** Big enough (> {@link MatMul#PARALLEL_MIN_BYTES}) to be split over threads; 301 rows split unevenly. */
    private static Tensor matrix(GGMLType type, Arena arena) {
        int cols = type.blockSize == 256 ? 512 : type.blockSize == 32 ? 320 : 203;
        return RandomTensors.create(type, 301, cols, 17, arena);
    }

    private static void assertRow(Tensor w, float[] x, int xOffset, float actual, long row, String what) {
        float reference = w.dotReference(row, x, xOffset);
        double allowed = DotChecks.tolerance(w.type(), w.cols(), DotChecks.sumAbsProducts(w, row, x, xOffset));
        if (!(Math.abs((double) actual - reference) <= allowed)) {
            throw new AssertionError(what + " " + w + " row " + row + ": " + actual + " vs reference " + reference);
        }
    }

    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1",
        "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void matvecEqualsRowByRowReference(GGMLType type) {
        try (Arena arena = Arena.ofShared()) {
            Tensor w = matrix(type, arena);
            float[] x = RandomTensors.randomVector(w.cols() + 7, 3);
            for (int threads : new int[] {1, 2, 3}) {
                Parallel.setThreads(threads);
                float[] out = new float[(int) w.rows() + 4];
                out[0] = out[1] = Float.NaN;
                MatMul.matvec(w, x, 7, out, 2);
                for (int r = 0; r < w.rows(); r++) {
                    assertRow(w, x, 7, out[2 + r], r, "matvec threads=" + threads);
                }
                if (!Float.isNaN(out[0]) || !Float.isNaN(out[1]) || out[out.length - 1] != 0) {
                    throw new AssertionError("matvec wrote outside its output range");
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 17, 64})
    void matmulEqualsRowByRowReference(int n) {
        GGMLType[] types = n == 17 ? DotChecks.TYPES
                : new GGMLType[] {GGMLType.F32, GGMLType.Q8_0, GGMLType.Q4_0, GGMLType.Q4_K, GGMLType.Q6_K};
        try (Arena arena = Arena.ofShared()) {
            for (GGMLType type : types) {
                Tensor w = matrix(type, arena);
                int rows = (int) w.rows();
                int cols = w.cols();
                float[] x = RandomTensors.randomVector(n * cols, n);
                float[] reference = new float[n * rows];
                double[] allowed = new double[n * rows];
                for (int i = 0; i < n; i++) {
                    for (int r = 0; r < rows; r++) {
                        reference[i * rows + r] = w.dotReference(r, x, i * cols);
                        allowed[i * rows + r] = DotChecks.tolerance(type, cols,
                                DotChecks.sumAbsProducts(w, r, x, i * cols));
                    }
                }
                for (int threads : new int[] {1, 2}) {
                    Parallel.setThreads(threads);
                    float[] out = new float[n * rows];
                    MatMul.matmul(w, x, n, out);
                    for (int k = 0; k < n * rows; k++) {
                        if (!(Math.abs((double) out[k] - reference[k]) <= allowed[k])) {
                            throw new AssertionError("matmul n=" + n + " " + w + " item " + k / rows + " row "
                                    + k % rows + " threads=" + threads + ": " + out[k] + " vs " + reference[k]);
                        }
                    }
                }
            }
        }
    }

    /** A batch gives each activation row exactly what it gets alone (batched serving relies on it). */
    @ParameterizedTest
    @ValueSource(ints = {2, 3, 5, 8, 9, 17})
    void matmulIsBitIdenticalToDotPerItem(int n) {
        if (MatMul.GEMM) {
            return; // Gemm sums in another order by design
        }
        try (Arena arena = Arena.ofShared()) {
            for (GGMLType type : DotChecks.TYPES) {
                Tensor w = matrix(type, arena);
                int rows = (int) w.rows();
                int cols = w.cols();
                float[] x = RandomTensors.randomVector(n * cols, 100 + n);
                for (int threads : new int[] {1, 2}) {
                    Parallel.setThreads(threads);
                    float[] out = new float[n * rows];
                    MatMul.matmul(w, x, n, out);
                    for (int k = 0; k < n * rows; k++) {
                        float expected = w.dot(k % rows, x, k / rows * cols);
                        if (Float.floatToRawIntBits(out[k]) != Float.floatToRawIntBits(expected)) {
                            throw new AssertionError("matmul n=" + n + " " + w + " item " + k / rows + " row "
                                    + k % rows + " threads=" + threads + ": " + out[k] + " but dot " + expected);
                        }
                    }
                }
            }
        }
    }

    @Test
    void rejectsShortArrays() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor w = RandomTensors.create(GGMLType.Q4_0, 4, 64, 1, arena);
            assertThrows(IndexOutOfBoundsException.class, () -> MatMul.matvec(w, new float[63], 0, new float[4], 0));
            assertThrows(IndexOutOfBoundsException.class, () -> MatMul.matvec(w, new float[64], 0, new float[4], 1));
            assertThrows(IndexOutOfBoundsException.class, () -> MatMul.matmul(w, new float[127], 2, new float[8]));
            assertThrows(IndexOutOfBoundsException.class, () -> MatMul.matmul(w, new float[128], 2, new float[7]));
            assertThrows(IndexOutOfBoundsException.class, () -> w.dot(4, new float[64], 0));
            assertThrows(IndexOutOfBoundsException.class, () -> w.dot(0, new float[64], 1));
        }
    }
}
