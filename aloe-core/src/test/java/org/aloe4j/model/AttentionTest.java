package org.aloe4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.aloe4j.tensors.VectorSums;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Attention#group} (all query heads of one KV head at once: four heads' dot products interleaved, the values
 * weighed in registers) gives, for every head, the same bits as computing that head alone the plain way (below), and
 * agrees with a float64 softmax attention.
 */
class AttentionTest {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** One head's dot product the plain way: one vector accumulator, its lanes summed left to right, the tail. */
    private static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
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

    /** {@code y += a * x} in memory, one position at a time. */
    private static void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        FloatVector va = FloatVector.broadcast(S, a);
        for (int bound = S.loopBound(n); i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, xOff + i).fma(va, FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += a * x[xOff + i];
        }
    }

    /** One query head alone: the computation {@link Attention#group} must reproduce bit for bit. */
    private static void headAlone(float[] q, int qOff, KVCache cache, int layer, int kvHead, int pos, int headDim,
            float[] out, int outOff) {
        float[] keys = cache.keys[layer], values = cache.values[layer];
        int kvDim = cache.kvDim(), kOff = kvHead * headDim, n = pos + 1;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        float[] scores = new float[n];
        float max = Float.NEGATIVE_INFINITY;
        for (int t = 0; t < n; t++) {
            scores[t] = dot(q, qOff, keys, t * kvDim + kOff, headDim) * scale;
            max = Math.max(max, scores[t]);
        }
        double sum = 0;
        for (int t = 0; t < n; t++) {
            scores[t] = (float) Math.exp(scores[t] - max);
            sum += scores[t];
        }
        float inv = (float) (1.0 / sum);
        java.util.Arrays.fill(out, outOff, outOff + headDim, 0f);
        for (int t = 0; t < n; t++) {
            axpy(scores[t] * inv, values, t * kvDim + kOff, out, outOff, headDim);
        }
    }

    @ParameterizedTest
    @CsvSource({"1, 64, 0", "2, 64, 5", "4, 128, 37", "5, 67, 20", "7, 128, 300", "8, 16, 1", "8, 128, 150",
            "4, 83, 9", "3, 8, 4"})
    void groupEqualsEachHeadAloneBitForBitAndTheFloat64Reference(int group, int headDim, int pos) {
        int kvHeads = 2, layers = 1;
        int kvDim = kvHeads * headDim, qDim = kvHeads * group * headDim;
        SplittableRandom random = new SplittableRandom(group * 1000L + headDim * 10L + pos);
        KVCache cache = new KVCache(layers, pos + 1, kvDim);
        cache.fillRandom(pos + 1, group + headDim + pos);
        float[] q = new float[qDim];
        for (int i = 0; i < qDim; i++) {
            q[i] = (float) random.nextDouble(-2, 2);
        }
        for (int kv = 0; kv < kvHeads; kv++) {
            int first = kv * group * headDim;
            float[] out = new float[qDim];
            Attention.group(q, first, cache, 0, kv, group, pos, headDim, out, first,
                    new float[Attention.scratchSize(group, pos)]);
            for (int g = 0; g < group; g++) {
                int off = first + g * headDim;
                float[] alone = new float[qDim];
                headAlone(q, off, cache, 0, kv, pos, headDim, alone, off);
                double[] reference = reference(q, off, cache, kv, pos, headDim);
                for (int d = 0; d < headDim; d++) {
                    assertEquals(Float.floatToRawIntBits(alone[off + d]), Float.floatToRawIntBits(out[off + d]),
                            "group " + group + " head " + g + " dim " + d + ": " + out[off + d] + " vs alone "
                                    + alone[off + d]);
                    assertEquals(reference[d], out[off + d], 1e-5, "head " + g + " dim " + d + " vs float64");
                }
            }
        }
    }

    /** {@link ReferenceForward#attendHead} on the cache's rows of one layer and KV head. */
    private static double[] reference(float[] q, int qOff, KVCache cache, int kvHead, int pos, int headDim) {
        int kvDim = cache.kvDim();
        double[][] k = new double[pos + 1][kvDim], v = new double[pos + 1][kvDim];
        for (int t = 0; t <= pos; t++) {
            for (int i = 0; i < kvDim; i++) {
                k[t][i] = cache.keys[0][t * kvDim + i];
                v[t][i] = cache.values[0][t * kvDim + i];
            }
        }
        double[] query = new double[headDim];
        for (int d = 0; d < headDim; d++) {
            query[d] = q[qOff + d];
        }
        return ReferenceForward.attendHead(query, 0, k, v, kvHead * headDim, pos, headDim);
    }
}
