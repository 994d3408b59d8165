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
     * @param q      query vector array; head h of this row starts at qOff + h * headDim
     * @param out    output array; head h written at outOff + h * headDim
     * @param scores scratch of at least pos + 1 floats
     */
    static void head(float[] q, int qOff, KVCache cache, int layer, int kvHead, int pos, int headDim,
                     float[] out, int outOff, float[] scores) {
        float[] keys = cache.keys[layer];
        float[] values = cache.values[layer];
        int kvDim = cache.kvDim();
        int kOff = kvHead * headDim;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        float max = Float.NEGATIVE_INFINITY;
        for (int t = 0; t <= pos; t++) {
            float s = dot(q, qOff, keys, t * kvDim + kOff, headDim) * scale;
            scores[t] = s;
            if (s > max) {
                max = s;
            }
        }
        double sum = 0;
        for (int t = 0; t <= pos; t++) {
            float e = (float) Math.exp(scores[t] - max);
            scores[t] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        java.util.Arrays.fill(out, outOff, outOff + headDim, 0f);
        for (int t = 0; t <= pos; t++) {
            axpy(scores[t] * inv, values, t * kvDim + kOff, out, outOff, headDim);
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
