package org.aloe4j.tensors;

import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;
import org.aloe4j.formats.gguf.GGMLType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The kernels on a 4096 x 4096 random matrix of each type (16-34 MB, about the size of one 7B projection):
 * single-thread dot over all rows, block decoding, matvec on the worker pool (decode), and the batched product of
 * 64 rows (prefill). Time per whole-matrix pass; GB/s = matrix bytes / time (printed by {@code KernelBenchmark}).
 *
 * <p>{@code ./mvnw -Pjmh -pl aloe-bench -am package -DskipTests}, then
 * {@code java --add-modules jdk.incubator.vector -cp "aloe-bench/target/aloe-bench.jar:aloe-bench/target/lib/*"
 * org.openjdk.jmh.Main KernelJmh -p type=Q4_0,Q4_K}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class KernelJmh {
    private static final int N = 4096;
    private static final int BATCH = 64;

    @Param({"Q4_0", "Q8_0", "Q4_K", "Q5_K", "Q6_K", "F16", "BF16"})
    public String type;

    private Arena arena;
    private Tensor w;
    private float[] x, xs, out, outs, decoded;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        w = RandomTensors.create(GGMLType.valueOf(type), N, N, 1, arena);
        x = RandomTensors.randomVector(N, 2);
        xs = RandomTensors.randomVector(BATCH * N, 3);
        out = new float[N];
        outs = new float[BATCH * N];
        decoded = new float[N];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public void dotOneThread(Blackhole bh) {
        float s = 0;
        for (int r = 0; r < N; r++) {
            s += w.dot(r, x, 0);
        }
        bh.consume(s);
    }

    @Benchmark
    public void decodeOneThread(Blackhole bh) {
        int blocks = N / w.type().blockSize;
        for (int r = 0; r < N; r++) {
            w.dequantizeBlocks(r, 0, blocks, decoded, 0);
        }
        bh.consume(decoded[7]);
    }

    @Benchmark
    public void matvecPool(Blackhole bh) {
        MatMul.matvec(w, x, 0, out, 0);
        bh.consume(out[3]);
    }

    @Benchmark
    public void matmul64Pool(Blackhole bh) {
        MatMul.matmul(w, xs, BATCH, outs);
        bh.consume(outs[5]);
    }
}
