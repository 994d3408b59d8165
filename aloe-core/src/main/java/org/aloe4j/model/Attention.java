package org.aloe4j.model;

import org.aloe4j.tensors.VectorSums;

import jdk.incubator.vector.FloatVector;
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
     * contexts are bound by. Per head the same operations in the same order as that head computed alone the plain way
     * (a dot product per position, its vector lanes summed left to right; then {@code out += p_t * v_t} position by
     * position), so the same bits ({@code AttentionTest}).
     *
     * @param q      query vector array; query head {@code kvHead * group + g} of this row starts at
     *               {@code qOff + g * headDim}
     * @param out    output array; head {@code kvHead * group + g} written at {@code outOff + g * headDim}
     * @param scores scratch of at least {@link #scratchSize scratchSize(group, pos)} floats
     */
    static void group(float[] q, int qOff, KVCache cache, int layer, int kvHead, int group, int pos, int headDim,
                      float[] out, int outOff, float[] scores) {
        float[] keys = cache.keys[layer];
        float[] values = cache.values[layer];
        int kvDim = cache.kvDim();
        int kOff = kvHead * headDim;
        int n = pos + 1;
        int lanes = group * n; // where the reductions' vector lanes go, after the scores
        float scale = (float) (1.0 / Math.sqrt(headDim));
        for (int t = 0; t < n; t++) {
            int k = t * kvDim + kOff;
            int g = 0;
            for (; g + 4 <= group; g += 4) { // four heads at once: four independent FMA chains share each key load
                dot4(q, qOff + g * headDim, headDim, keys, k, scores, g * n + t, n, scale, lanes);
            }
            for (; g < group; g++) {
                scores[g * n + t] = dot(q, qOff + g * headDim, keys, k, headDim, scores, lanes) * scale;
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
        }
        int g = 0;
        for (; g + 4 <= group; g += 4) {
            weigh4(scores, g * n, n, values, kvDim, kOff, headDim, out, outOff + g * headDim);
        }
        for (; g < group; g++) {
            weigh(scores, g * n, n, values, kvDim, kOff, headDim, out, outOff + g * headDim);
        }
    }

    /** Scratch floats that {@link #group} needs: the group's scores, then four vectors for the reductions. */
    static int scratchSize(int group, int pos) {
        return group * (pos + 1) + 4 * S.length();
    }

    /**
     * {@code a . b}: one vector accumulator, its lanes summed left to right through {@code lanes[at ..]} (storing the
     * vector once is cheaper than extracting each lane from the register), then the scalar tail.
     */
    private static float dot(float[] a, int aOff, float[] b, int bOff, int n, float[] lanes, int at) {
        int i = 0;
        FloatVector acc = FloatVector.zero(S);
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            acc = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc);
        }
        acc.intoArray(lanes, at);
        float s = VectorSums.ordered(lanes, at, S.length());
        for (; i < n; i++) {
            s += a[aOff + i] * b[bOff + i];
        }
        return s;
    }

    /**
     * Heads {@code g .. g + 3}: {@code out[h] = sum over t of p[h][t] * v_t}, {@code p[h]} at
     * {@code scores[s0 + h * n]}. Per output element the additions of {@code out += p_t * v_t} over t in order (an
     * FMA per vector lane, a multiply and an add in the scalar tail), but accumulated in registers: four heads x four
     * vectors of dimensions per pass over the values, so each value vector is loaded once for four heads and nothing
     * is stored until the end.
     */
    private static void weigh4(float[] scores, int s0, int n, float[] values, int kvDim, int kOff, int headDim,
            float[] out, int outOff) {
        int l = S.length();
        int o0 = outOff, o1 = o0 + headDim, o2 = o1 + headDim, o3 = o2 + headDim;
        int p1 = s0 + n, p2 = p1 + n, p3 = p2 + n;
        int i = 0;
        for (; i + 4 * l <= headDim; i += 4 * l) {
            FloatVector zero = FloatVector.zero(S);
            FloatVector a0 = zero, a1 = zero, a2 = zero, a3 = zero, b0 = zero, b1 = zero, b2 = zero, b3 = zero;
            FloatVector c0 = zero, c1 = zero, c2 = zero, c3 = zero, d0 = zero, d1 = zero, d2 = zero, d3 = zero;
            for (int t = 0; t < n; t++) {
                int v = t * kvDim + kOff + i;
                FloatVector v0 = FloatVector.fromArray(S, values, v), v1 = FloatVector.fromArray(S, values, v + l);
                FloatVector v2 = FloatVector.fromArray(S, values, v + 2 * l);
                FloatVector v3 = FloatVector.fromArray(S, values, v + 3 * l);
                FloatVector p = FloatVector.broadcast(S, scores[s0 + t]);
                a0 = v0.fma(p, a0);
                a1 = v1.fma(p, a1);
                a2 = v2.fma(p, a2);
                a3 = v3.fma(p, a3);
                p = FloatVector.broadcast(S, scores[p1 + t]);
                b0 = v0.fma(p, b0);
                b1 = v1.fma(p, b1);
                b2 = v2.fma(p, b2);
                b3 = v3.fma(p, b3);
                p = FloatVector.broadcast(S, scores[p2 + t]);
                c0 = v0.fma(p, c0);
                c1 = v1.fma(p, c1);
                c2 = v2.fma(p, c2);
                c3 = v3.fma(p, c3);
                p = FloatVector.broadcast(S, scores[p3 + t]);
                d0 = v0.fma(p, d0);
                d1 = v1.fma(p, d1);
                d2 = v2.fma(p, d2);
                d3 = v3.fma(p, d3);
            }
            a0.intoArray(out, o0 + i);
            a1.intoArray(out, o0 + i + l);
            a2.intoArray(out, o0 + i + 2 * l);
            a3.intoArray(out, o0 + i + 3 * l);
            b0.intoArray(out, o1 + i);
            b1.intoArray(out, o1 + i + l);
            b2.intoArray(out, o1 + i + 2 * l);
            b3.intoArray(out, o1 + i + 3 * l);
            c0.intoArray(out, o2 + i);
            c1.intoArray(out, o2 + i + l);
            c2.intoArray(out, o2 + i + 2 * l);
            c3.intoArray(out, o2 + i + 3 * l);
            d0.intoArray(out, o3 + i);
            d1.intoArray(out, o3 + i + l);
            d2.intoArray(out, o3 + i + 2 * l);
            d3.intoArray(out, o3 + i + 3 * l);
        }
        for (; i + l <= headDim; i += l) {
            FloatVector a = FloatVector.zero(S), b = a, c = a, d = a;
            for (int t = 0; t < n; t++) {
                FloatVector v = FloatVector.fromArray(S, values, t * kvDim + kOff + i);
                a = v.fma(FloatVector.broadcast(S, scores[s0 + t]), a);
                b = v.fma(FloatVector.broadcast(S, scores[p1 + t]), b);
                c = v.fma(FloatVector.broadcast(S, scores[p2 + t]), c);
                d = v.fma(FloatVector.broadcast(S, scores[p3 + t]), d);
            }
            a.intoArray(out, o0 + i);
            b.intoArray(out, o1 + i);
            c.intoArray(out, o2 + i);
            d.intoArray(out, o3 + i);
        }
        for (; i < headDim; i++) {
            float a = 0, b = 0, c = 0, d = 0;
            for (int t = 0; t < n; t++) {
                float v = values[t * kvDim + kOff + i];
                a += scores[s0 + t] * v;
                b += scores[p1 + t] * v;
                c += scores[p2 + t] * v;
                d += scores[p3 + t] * v;
            }
            out[o0 + i] = a;
            out[o1 + i] = b;
            out[o2 + i] = c;
            out[o3 + i] = d;
        }
    }

    /** {@link #weigh4} for one head. */
    private static void weigh(float[] scores, int s0, int n, float[] values, int kvDim, int kOff, int headDim,
            float[] out, int outOff) {
        int l = S.length();
        int i = 0;
        for (; i + 4 * l <= headDim; i += 4 * l) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (int t = 0; t < n; t++) {
                int v = t * kvDim + kOff + i;
                FloatVector p = FloatVector.broadcast(S, scores[s0 + t]);
                a0 = FloatVector.fromArray(S, values, v).fma(p, a0);
                a1 = FloatVector.fromArray(S, values, v + l).fma(p, a1);
                a2 = FloatVector.fromArray(S, values, v + 2 * l).fma(p, a2);
                a3 = FloatVector.fromArray(S, values, v + 3 * l).fma(p, a3);
            }
            a0.intoArray(out, outOff + i);
            a1.intoArray(out, outOff + i + l);
            a2.intoArray(out, outOff + i + 2 * l);
            a3.intoArray(out, outOff + i + 3 * l);
        }
        for (; i + l <= headDim; i += l) {
            FloatVector a = FloatVector.zero(S);
            for (int t = 0; t < n; t++) {
                FloatVector p = FloatVector.broadcast(S, scores[s0 + t]);
                a = FloatVector.fromArray(S, values, t * kvDim + kOff + i).fma(p, a);
            }
            a.intoArray(out, outOff + i);
        }
        for (; i < headDim; i++) {
            float a = 0;
            for (int t = 0; t < n; t++) {
                a += scores[s0 + t] * values[t * kvDim + kOff + i];
            }
            out[outOff + i] = a;
        }
    }

    /**
     * {@code scores[at + i * stride] = dot(q, qOff + i * headDim, keys, kOff, headDim) * scale} for i = 0..3, bit for
     * bit: per head the same single accumulator, loop and reduction as {@link #dot}; the accumulators are summed
     * through {@code scores[lanes ..]} (four vectors of scratch).
     */
    private static void dot4(float[] q, int qOff, int headDim, float[] keys, int kOff, float[] scores, int at,
            int stride, float scale, int lanes) {
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
        int l = S.length();
        a0.intoArray(scores, lanes);
        a1.intoArray(scores, lanes + l);
        a2.intoArray(scores, lanes + 2 * l);
        a3.intoArray(scores, lanes + 3 * l);
        float s0 = VectorSums.ordered(scores, lanes, l), s1 = VectorSums.ordered(scores, lanes + l, l);
        float s2 = VectorSums.ordered(scores, lanes + 2 * l, l), s3 = VectorSums.ordered(scores, lanes + 3 * l, l);
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
}
