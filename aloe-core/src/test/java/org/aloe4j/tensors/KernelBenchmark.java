package org.aloe4j.tensors;

import java.lang.foreign.Arena;
import org.aloe4j.formats.gguf.GGMLType;

/**
 * Micro-benchmark (not a test): for each type, a 4096 x 4096 random matrix; prints ns per row and GB/s of weight bytes
 * for {@link Tensor#dot} on one thread, {@link MatMul#matvec} on the pool, {@link MatMul#matmul} (batch 64), and the
 * same batch as 64 matvecs (one {@link Tensor#dot} per weight row and activation row: what matmul did before
 * {@link Tensor#dotRows}, with the same results bit for bit); for types with integer kernels, those next to the
 * float ones, and 8 activation rows through {@link Tensor#dotRowsQuantized} (4-row kernel) against
 * {@link Tensor#dotRowPairQuantized} (tile kernel, where the type has one); and the same for the float path
 * ({@link Tensor#dotRows} against {@link Tensor#dotRowPair}).
 *
 * <p>Run after {@code ./mvnw -o install -DskipTests}:
 * {@code java --add-modules jdk.incubator.vector -cp aloe-core/target/classes:aloe-core/target/test-classes
 * org.aloe4j.tensors.KernelBenchmark [types...]}; {@code -Daloe.threads=N}, {@code -Daloe.vector.bits=256} apply.
 */
public final class KernelBenchmark {
    private KernelBenchmark() {}

    /** Matrix size ({@code -Dbench.n}; 4096 by default, which partly fits in a 32 MiB L3). */
    private static final int N = Integer.getInteger("bench.n", 4096);
    private static volatile float sink;

    public static void main(String[] args) {
        GGMLType[] types = args.length == 0 ? DotChecks.TYPES
                : java.util.Arrays.stream(args).map(GGMLType::valueOf).toArray(GGMLType[]::new);
        System.out.printf("vector bits %d, threads %d, matrix %d x %d%n", Simd.BITS, Parallel.threads(), N, N);
        System.out.printf("%-5s %9s | %7s | %9s %7s | %9s %7s | %12s %7s | %12s%n", "type", "MB", "dec GB/s", "dot ns/row", "GB/s",
                "matvec ns/row", "GB/s", "matmul64 ns/row/item", "GFLOP/s", "64 matvecs ns/row/item");
        try (Arena arena = Arena.ofShared()) {
            for (GGMLType type : types) {
                Tensor w = RandomTensors.create(type, N, N, 1, arena);
                float[] x = RandomTensors.randomVector(N, 2);
                float[] out = new float[N];
                double bytes = w.data().byteSize();

                double dotSeconds = best(() -> {
                    float s = 0;
                    for (int r = 0; r < N; r++) {
                        s += w.dot(r, x, 0);
                    }
                    sink = s;
                }, 1.0);
                float[] decoded = new float[N];
                double decodeSeconds = best(() -> {
                    for (int r = 0; r < N; r++) {
                        w.dequantizeBlocks(r, 0, N / type.blockSize, decoded, 0);
                    }
                    sink = decoded[7];
                }, 0.5);
                double matvecSeconds = best(() -> MatMul.matvec(w, x, 0, out, 0), 1.0);
                int batch = 64;
                float[] xs = RandomTensors.randomVector(batch * N, 3);
                float[] outs = new float[batch * N];
                double matmulSeconds = best(() -> MatMul.matmul(w, xs, batch, outs), 2.0);
                double matvecsSeconds = best(() -> {
                    for (int i = 0; i < batch; i++) {
                        MatMul.matvec(w, xs, i * N, outs, i * N);
                    }
                }, 2.0);
                System.out.printf("%-5s %9.1f | %7.2f | %9.0f %7.2f | %9.0f %7.2f | %12.0f %7.1f | %12.0f%n", type,
                        bytes / 1e6,
                        bytes / decodeSeconds / 1e9,
                        dotSeconds * 1e9 / N, bytes / dotSeconds / 1e9, matvecSeconds * 1e9 / N,
                        bytes / matvecSeconds / 1e9, matmulSeconds * 1e9 / N / batch,
                        2.0 * N * N * batch / matmulSeconds / 1e9, matvecsSeconds * 1e9 / N / batch);
                // one thread, 8 activation rows, float path: dotRows per weight row vs dotRowPair per row pair
                double floatRowsSeconds = best(() -> {
                    for (int r = 0; r < N; r++) {
                        w.dotRows(r, xs, 0, N, 8, outs, r, N);
                    }
                }, 1.0);
                double floatPairSeconds = best(() -> {
                    for (int r = 0; r < N; r += 2) {
                        w.dotRowPair(r, xs, 0, N, 8, outs, r, N);
                    }
                }, 1.0);
                System.out.printf("%-5s float path, 8 activation rows, one thread: dotRows %.0f ns/row/item, dotRowPair"
                        + " %.0f (x%.2f)%n", type, floatRowsSeconds * 1e9 / N / 8, floatPairSeconds * 1e9 / N / 8,
                        floatRowsSeconds / floatPairSeconds);
                ActivationFormat format = w.integerActivations();
                if (format != null) {
                    // the integer kernels (what GGUF models run), against the float kernels above in the same run
                    QuantizedActivations a = new QuantizedActivations().quantize(format, x, 1, N);
                    double intDotSeconds = best(() -> {
                        float s = 0;
                        for (int r = 0; r < N; r++) {
                            s += w.dotQuantized(r, a, 0);
                        }
                        sink = s;
                    }, 1.0);
                    double intMatvecSeconds = best(() -> MatMul.matmul(w, x, 1, out, format), 1.0);
                    double intMatmulSeconds = best(() -> MatMul.matmul(w, xs, batch, outs, format), 2.0);
                    System.out.printf("%-5s integer kernels: dot %.0f ns/row (x%.2f float dot), matvec %.2f GB/s"
                            + " (x%.2f), matmul64 %.0f ns/row/item (x%.2f)%n", type, intDotSeconds * 1e9 / N,
                            dotSeconds / intDotSeconds, bytes / intMatvecSeconds / 1e9, matvecSeconds / intMatvecSeconds,
                            intMatmulSeconds * 1e9 / N / batch, matmulSeconds / intMatmulSeconds);
                    // one thread, 8 activation rows: the 4-row kernel per weight row vs the tile kernel per row pair
                    int rows8 = 8;
                    QuantizedActivations a8 = new QuantizedActivations().quantize(format, xs, rows8, N);
                    double fourRowSeconds = best(() -> {
                        for (int r = 0; r < N; r++) {
                            w.dotRowsQuantized(r, a8, 0, rows8, outs, r, N);
                        }
                    }, 1.0);
                    double pairSeconds = best(() -> {
                        for (int r = 0; r < N; r += 2) {
                            w.dotRowPairQuantized(r, a8, 0, rows8, outs, r, N);
                        }
                    }, 1.0);
                    System.out.printf("%-5s 8 activation rows, one thread: dotRowsQuantized %.0f ns/row/item,"
                            + " dotRowPairQuantized %.0f (x%.2f)%n", type, fourRowSeconds * 1e9 / N / rows8,
                            pairSeconds * 1e9 / N / rows8, fourRowSeconds / pairSeconds);
                }
            }
        }
    }

    /** Best time of one run, after warming up, repeating for about {@code budgetSeconds}. */
    private static double best(Runnable run, double budgetSeconds) {
        for (int i = 0; i < 3; i++) {
            run.run();
        }
        double best = Double.MAX_VALUE;
        long deadline = System.nanoTime() + (long) (budgetSeconds * 1e9);
        int runs = 0;
        while (runs < 5 || System.nanoTime() < deadline) {
            long t0 = System.nanoTime();
            run.run();
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            runs++;
        }
        return best;
    }
}
