package org.aloe4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import org.aloe4j.formats.gguf.GGMLType;
import org.aloe4j.tensors.Tensor;
import org.aloe4j.tensors.Tensors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The optimized transformer against {@link ReferenceForward} (float64, written from the math) on random small
 * models of both families, built in memory: every flag combination that distinguishes Qwen2 from Llama
 * (biases, RoPE layout, llama3 scaling, rope_freqs, tied output, GQA group sizes, head_dim != dim/heads), and
 * every way of feeding tokens (whole prompt, one at a time, two sequences interleaved in one batch).
 */
class TransformerVsReferenceTest {
    private static final Arena ARENA = Arena.ofShared();

    /** Float activations vs float64: measured max |diff| about 1e-6 on these shapes; logits rms about 0.5. */
    private static final double F32_TOLERANCE = 2e-5;
    /** F16/BF16 weights are decoded exactly by both sides; only the float accumulation differs. */
    private static final double HALF_TOLERANCE = 2e-5;

    @AfterAll
    static void close() {
        ARENA.close();
    }

    @Test
    void qwen2LikeWithBiasesNeoxAndGqa() {
        check(config(Architecture.QWEN2, 64, 96, 2, 4, 2, 16, 97, RopeLayout.NEOX, true, false, null, null, 1e6), GGMLType.F32, 11, 1);
    }

    @Test
    void llamaLikeInterleavedWithRopeFreqFactorsAndTiedOutput() {
        float[] factors = new float[8];
        for (int i = 0; i < factors.length; i++) {
            factors[i] = i < 4 ? 1f : 1f + i;
        }
        check(config(Architecture.LLAMA, 48, 80, 3, 4, 1, 16, 61, RopeLayout.INTERLEAVED, false, true, factors, null, 5e5), GGMLType.F32, 9, 2);
    }

    @Test
    void llamaHfLayoutWithLlama3ScalingAndWideHeads() {
        RopeScaling s = new RopeScaling(8, 1, 4, 64);
        check(config(Architecture.LLAMA, 40, 72, 2, 2, 2, 32, 50, RopeLayout.NEOX, false, false, null, s, 5e5), GGMLType.F32, 13, 3);
    }

    @Test
    void halfPrecisionWeights() {
        check(config(Architecture.QWEN2, 64, 64, 1, 4, 4, 16, 40, RopeLayout.NEOX, true, false, null, null, 1e4), GGMLType.F16, 7, 4);
        check(config(Architecture.LLAMA, 64, 64, 1, 2, 1, 32, 40, RopeLayout.INTERLEAVED, false, false, null, null, 1e4), GGMLType.BF16, 7, 5);
    }

    private static ModelConfig config(Architecture a, int dim, int ffn, int layers, int heads, int kvHeads, int hd, int vocab,
                                      RopeLayout layout, boolean bias, boolean tied, float[] factors, RopeScaling s, double theta) {
        return new ModelConfig(a, "random", dim, ffn, layers, heads, kvHeads, hd, vocab, 64, 1e-5f, theta, layout,
                factors, s, bias, tied, -1, new int[0]).validate();
    }

    private static void check(ModelConfig c, GGMLType type, int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Weights w = randomWeights(c, type, rnd);
        int[] tokens = rnd.ints(n, 0, c.vocabSize()).toArray();
        double[][] ref = new ReferenceForward(c, w).logits(tokens);
        double tol = type == GGMLType.F32 ? F32_TOLERANCE : HALF_TOLERANCE;
        Transformer t = new Transformer(c, w);

        // 1. the whole prompt in one batch, logits at every position
        KVCache cache = t.newCache(32);
        int[] pos = new int[n];
        KVCache[] caches = new KVCache[n];
        boolean[] all = new boolean[n];
        for (int i = 0; i < n; i++) {
            pos[i] = i;
            caches[i] = cache;
            all[i] = true;
        }
        float[] logits = new float[n * c.vocabSize()];
        t.forward(n, tokens, pos, caches, all, logits);
        for (int i = 0; i < n; i++) {
            assertClose(ref[i], logits, i * c.vocabSize(), tol, "batched prefill, position " + i);
        }

        // 2. one token at a time
        KVCache one = t.newCache(n);
        for (int i = 0; i < n; i++) {
            float[] l = t.forward(tokens[i], i, one);
            assertClose(ref[i], l, 0, tol, "single-token decode, position " + i);
        }

        // 3. two sequences in one batch: the same tokens, and the same tokens reversed, interleaved row by row
        int[] rev = new int[n];
        for (int i = 0; i < n; i++) {
            rev[i] = tokens[n - 1 - i];
        }
        double[][] refRev = new ReferenceForward(c, w).logits(rev);
        KVCache a = t.newCache(n), b = t.newCache(n);
        int[] bt = new int[2 * n], bp = new int[2 * n];
        KVCache[] bc = new KVCache[2 * n];
        boolean[] bw = new boolean[2 * n];
        for (int i = 0; i < n; i++) {
            bt[2 * i] = tokens[i];
            bt[2 * i + 1] = rev[i];
            bp[2 * i] = bp[2 * i + 1] = i;
            bc[2 * i] = a;
            bc[2 * i + 1] = b;
            bw[2 * i] = bw[2 * i + 1] = true;
        }
        float[] bl = new float[2 * n * c.vocabSize()];
        t.forward(2 * n, bt, bp, bc, bw, bl);
        for (int i = 0; i < n; i++) {
            assertClose(ref[i], bl, 2 * i * c.vocabSize(), tol, "interleaved batch, sequence A position " + i);
            assertClose(refRev[i], bl, (2 * i + 1) * c.vocabSize(), tol, "interleaved batch, sequence B position " + i);
        }
    }

    private static void assertClose(double[] expected, float[] actual, int off, double tol, String where) {
        double max = 0, rms = 0;
        for (int i = 0; i < expected.length; i++) {
            max = Math.max(max, Math.abs(expected[i] - actual[off + i]));
            rms += expected[i] * expected[i];
        }
        rms = Math.sqrt(rms / expected.length);
        assertTrue(rms > 0.05, where + ": logits too small to be a meaningful check (rms " + rms + ")");
        assertTrue(max <= tol, where + ": max |diff| " + max + " > " + tol + " (logits rms " + rms + ")");
    }

    static Weights randomWeights(ModelConfig c, GGMLType type, SplittableRandom rnd) {
        Tensor emb = matrix("token_embd", type, c.vocabSize(), c.dim(), 0.5, rnd);
        Weights.Layer[] layers = new Weights.Layer[c.layers()];
        for (int l = 0; l < layers.length; l++) {
            double s = 1 / Math.sqrt(c.dim());
            layers[l] = new Weights.Layer(norm(c.dim(), rnd),
                    matrix("q", type, c.qDim(), c.dim(), 2 * s, rnd),
                    matrix("k", type, c.kvDim(), c.dim(), 2 * s, rnd),
                    matrix("v", type, c.kvDim(), c.dim(), s, rnd),
                    c.qkvBias() ? vec(c.qDim(), 0.2, rnd) : null,
                    c.qkvBias() ? vec(c.kvDim(), 0.2, rnd) : null,
                    c.qkvBias() ? vec(c.kvDim(), 0.2, rnd) : null,
                    matrix("o", type, c.dim(), c.qDim(), s, rnd),
                    norm(c.dim(), rnd),
                    matrix("gate", type, c.ffnDim(), c.dim(), s, rnd),
                    matrix("up", type, c.ffnDim(), c.dim(), s, rnd),
                    matrix("down", type, c.dim(), c.ffnDim(), 1 / Math.sqrt(c.ffnDim()), rnd));
        }
        Tensor out = c.tiedEmbeddings() ? emb : matrix("output", type, c.vocabSize(), c.dim(), 2 / Math.sqrt(c.dim()), rnd);
        return new Weights(emb, norm(c.dim(), rnd), out, layers, null);
    }

    private static float[] norm(int n, SplittableRandom rnd) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (0.5 + rnd.nextDouble());
        }
        return v;
    }

    private static float[] vec(int n, double scale, SplittableRandom rnd) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((rnd.nextDouble() * 2 - 1) * scale);
        }
        return v;
    }

    private static Tensor matrix(String name, GGMLType type, int rows, int cols, double scale, SplittableRandom rnd) {
        int bytes = type == GGMLType.F32 ? 4 : 2;
        MemorySegment seg = ARENA.allocate((long) rows * cols * bytes);
        for (long i = 0; i < (long) rows * cols; i++) {
            float f = (float) ((rnd.nextDouble() * 2 - 1) * scale);
            switch (type) {
                case F32 -> seg.set(ValueLayout.JAVA_FLOAT_UNALIGNED, i * 4, f);
                case F16 -> seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, i * 2, Float.floatToFloat16(f));
                case BF16 -> seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, i * 2, (short) (Float.floatToRawIntBits(f) >>> 16));
                default -> throw new IllegalArgumentException(type.name());
            }
        }
        assertEquals(java.nio.ByteOrder.LITTLE_ENDIAN, java.nio.ByteOrder.nativeOrder());
        return Tensors.wrap(name, type, seg, rows, cols);
    }
}
