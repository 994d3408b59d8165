package org.aloe4j.model;

import org.aloe4j.tensors.VectorSums;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Causal grouped-query attention over a sequence's KV cache: the one place where attention is computed.
 * For query head h (sharing KV head h / groupSize), at position p:
 * {@code out = sum_t softmax_t(q . k_t / sqrt(headDim)) * v_t} over t = 0..p.
 */
final class Attention {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private Attention() {}

    /**
     * All {@code group} query heads that share KV head {@code kvHead} (query heads {@code kvHead * group ..}), at
     * position {@code pos}. Each key and value row is read once for the whole group instead of once per query head
     * (grouped-query attention: 4 query heads per KV head in Llama 3.1 8B, 7 in Qwen2.5 7B), which is what long
     * contexts are bound by. Per head the same operations in the same order as one head alone.
     *
     * @param q      query vector array; query head {@code kvHead * group + g} of this row starts at
     *               {@code qOff + g * headDim}
     * @param out    output array; head {@code kvHead * group + g} written at {@code outOff + g * headDim}
     * @param scores scratch of at least {@code group * (pos + 1)} floats
     */
    static void group(float[] q, int qOff, KVCache cache, int layer, int kvHead, int group, int pos, int headDim,
                      float[] out, int outOff, float[] scores) {
        float[] keys = cache.keys[layer];
        float[] values = cache.values[layer];
        int kvDim = cache.kvDim();
        int kOff = kvHead * headDim;
        int n = pos + 1;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        for (int t = 0; t < n; t++) {
            int k = t * kvDim + kOff;
            int g = 0;
            for (; g + 4 <= group; g += 4) { // four heads at once: four independent FMA chains share each key load
                dot4(q, qOff + g * headDim, headDim, keys, k, scores, g * n + t, n, scale);
            }
            for (; g < group; g++) {
                scores[g * n + t] = dot(q, qOff + g * headDim, keys, k, headDim) * scale;
            }
        }
        for (int g = 0; g < group; g++) {
            int s0 = g * n;
            float max = Float.NEGATIVE_INFINITY;
            for (int t = 0; t < n; t++) {
                if (scores[s0 + t] > max) {
                    max = scores[s0 + t];
                }
            }
            double sum = 0;
            for (int t = 0; t < n; t++) {
                float e = (float) Math.exp(scores[s0 + t] - max);
                scores[s0 + t] = e;
                sum += e;
            }
            float inv = (float) (1.0 / sum);
            for (int t = 0; t < n; t++) {
                scores[s0 + t] *= inv;
            }
            java.util.Arrays.fill(out, outOff + g * headDim, outOff + (g + 1) * headDim, 0f);
        }
        for (int t = 0; t < n; t++) {
            int v = t * kvDim + kOff;
            for (int g = 0; g < group; g++) {
                axpy(scores[g * n + t], values, v, out, outOff + g * headDim, headDim);
            }
        }
    }

    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        int i = 0;
        FloatVector acc = FloatVector.zero(S);
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            acc = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc);
        }
        float s = VectorSums.ordered(acc);
        for (; i < n; i++) {
            s += a[aOff + i] * b[bOff + i];
        }
        return s;
    }

    /**
     * {@code scores[at + i * stride] = dot(q, qOff + i * headDim, keys, kOff, headDim) * scale} for i = 0..3, bit for
     * bit: per head the same single accumulator, loop and reduction as {@link #dot}.
     */
    private static void dot4(float[] q, int qOff, int headDim, float[] keys, int kOff, float[] scores, int at,
            int stride, float scale) {
        int q0 = qOff, q1 = q0 + headDim, q2 = q1 + headDim, q3 = q2 + headDim;
        int i = 0;
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        for (int bound = S.loopBound(headDim); i < bound; i += S.length()) {
            FloatVector k = FloatVector.fromArray(S, keys, kOff + i);
            a0 = FloatVector.fromArray(S, q, q0 + i).fma(k, a0);
            a1 = FloatVector.fromArray(S, q, q1 + i).fma(k, a1);
            a2 = FloatVector.fromArray(S, q, q2 + i).fma(k, a2);
            a3 = FloatVector.fromArray(S, q, q3 + i).fma(k, a3);
        }
        float s0 = VectorSums.ordered(a0), s1 = VectorSums.ordered(a1);
        float s2 = VectorSums.ordered(a2), s3 = VectorSums.ordered(a3);
        for (; i < headDim; i++) {
            float k = keys[kOff + i];
            s0 += q[q0 + i] * k;
            s1 += q[q1 + i] * k;
            s2 += q[q2 + i] * k;
            s3 += q[q3 + i] * k;
        }
        scores[at] = s0 * scale;
        scores[at + stride] = s1 * scale;
        scores[at + 2 * stride] = s2 * scale;
        scores[at + 3 * stride] = s3 * scale;
    }

    /** y += a * x */
    static void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        FloatVector va = FloatVector.broadcast(S, a);
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, xOff + i).fma(va, FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += a * x[xOff + i];
        }
    }
}
