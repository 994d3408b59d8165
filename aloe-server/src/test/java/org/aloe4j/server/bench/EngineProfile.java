package org.aloe4j.server.bench;

import org.aloe4j.formats.gguf.GGMLType;
import org.aloe4j.generation.LocalModel;
import org.aloe4j.model.KVCache;
import org.aloe4j.model.Transformer;
import org.aloe4j.model.Weights;
import org.aloe4j.tensors.MatMul;
import org.aloe4j.tensors.Tensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Where a batched forward pass spends its time: {@code EngineProfile Q8_0,2048,5632,8,16,2 [rows] [passes]} writes
 * a synthetic model (as {@link ServerBenchmark}) and, pass after pass in the same JVM (this machine's speed drifts by
 * up to 2x between runs, so only figures from one loop compare), times a forward of 1 row, a forward of {@code rows}
 * decode rows, and the same weight products alone ({@link MatMul#matmul} of every layer matrix with {@code rows}
 * activation rows, same activation formats, same order). Then one ffn x dim matrix with 1, 4 and 8 rows, once
 * cycling over the layers' copies (from memory) and once the same copy (from L3). Also a steady load for JFR.
 */
public final class EngineProfile {
    public static void main(String[] args) throws Exception {
        String[] p = args[0].split(",");
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int passes = args.length > 2 ? Integer.parseInt(args[2]) : 40;
        Path template = Path.of(System.getProperty("aloe.fixtures", "../shared/fixtures"), "models/tiny-qwen2.F32.gguf");
        Path generated = Files.createTempFile("aloe-profile-", ".gguf");
        try {
            SyntheticModel.write(template, generated, GGMLType.valueOf(p[0]), Integer.parseInt(p[1]),
                    Integer.parseInt(p[2]), Integer.parseInt(p[3]), Integer.parseInt(p[4]), Integer.parseInt(p[5]));
            try (LocalModel m = LocalModel.open(generated)) {
                run(m.transformer(), rows, passes);
            }
        } finally {
            Files.deleteIfExists(generated);
        }
    }

    private static void run(Transformer t, int rows, int passes) {
        Weights w = t.weights();
        int vocab = t.config().vocabSize();
        KVCache[] caches = new KVCache[rows];
        for (int i = 0; i < rows; i++) {
            caches[i] = t.newCache(64);
        }
        float[] logits = new float[rows * vocab];
        int[] tokens = new int[rows];
        int[] positions = new int[rows];
        boolean[] want = new boolean[rows];
        Arrays.fill(tokens, 1);
        Arrays.fill(want, true);
        int width = Math.max(t.config().ffnDim(), Math.max(t.config().dim(), t.config().qDim()));
        float[] in = new float[rows * width];
        float[] out = new float[rows * width];
        Random random = new Random(1);
        for (int i = 0; i < in.length; i++) {
            in[i] = (float) random.nextGaussian();
        }
        double[] one = new double[passes], many = new double[passes], products = new double[passes];
        for (int it = -5; it < passes; it++) { // 5 warm-up passes
            Arrays.fill(positions, Math.floorMod(it, 60));
            long a = System.nanoTime();
            t.forward(1, tokens, positions, caches, want, logits);
            long b = System.nanoTime();
            t.forward(rows, tokens, positions, caches, want, logits);
            long c = System.nanoTime();
            for (Weights.Layer l : w.layers()) {
                for (Tensor m : new Tensor[] {l.wq(), l.wk(), l.wv(), l.wo(), l.wGate(), l.wUp(), l.wDown()}) {
                    MatMul.matmul(m, in, rows, out, w.activationFormat(m));
                }
            }
            long d = System.nanoTime();
            if (it >= 0) {
                one[it] = (b - a) / 1e6;
                many[it] = (c - b) / 1e6;
                products[it] = (d - c) / 1e6;
            }
        }
        System.out.printf(Locale.ROOT, "forward of 1 row %s ms, of %d rows %s ms; their weight products alone %s ms"
                + " (vocab %d)%n", medianMin(one), rows, medianMin(many), medianMin(products), vocab);
        for (int r : new int[] {1, 4, 8}) {
            double[] cold = new double[passes], hot = new double[passes];
            Tensor same = w.layers()[0].wGate();
            for (int it = 0; it < passes; it++) {
                long a = System.nanoTime();
                for (Weights.Layer l : w.layers()) {
                    MatMul.matmul(l.wGate(), in, r, out, w.activationFormat(l.wGate()));
                }
                long b = System.nanoTime();
                for (int i = 0; i < w.layers().length; i++) {
                    MatMul.matmul(same, in, r, out, w.activationFormat(same));
                }
                long c = System.nanoTime();
                cold[it] = (b - a) / 1e6 / w.layers().length;
                hot[it] = (c - b) / 1e6 / w.layers().length;
            }
            System.out.printf(Locale.ROOT, "one %s matrix, %d rows: cycling over the layers %s ms, same matrix %s ms%n",
                    same.rows() + " x " + same.cols(), r, medianMin(cold), medianMin(hot));
        }
    }

    private static String medianMin(double[] times) {
        double[] sorted = times.clone();
        Arrays.sort(sorted);
        return String.format(Locale.ROOT, "%.2f (min %.2f)", sorted[sorted.length / 2], sorted[0]);
    }
}
