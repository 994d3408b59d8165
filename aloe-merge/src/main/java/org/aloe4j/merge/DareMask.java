package org.aloe4j.merge;

import java.nio.charset.StandardCharsets;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The random keep/drop decisions of DARE, made by a counter-based generator: the decision for element {@code i} of
 * tensor {@code name} in model {@code m} is a hash of (seed, name, m, i). It therefore depends on nothing else —
 * not on which thread computes it, in which order, or how the tensor is cut into chunks — so a merge is reproducible
 * from its seed. Each element is kept with probability {@code density} (a Bernoulli draw, as
 * {@code torch.bernoulli(full_like(delta, density))} in mergekit; the draws themselves cannot match torch's).
 *
 * <p>The per-element hash works on 32-bit lanes (two rounds of a 32-bit integer mixer) so that it vectorises on
 * AVX2, which has no 64-bit multiply; a draw is a uniform 32-bit integer, so densities are honoured to 2^-32.
 */
final class DareMask {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;

    private DareMask() {}

    /** The stream of one (seed, tensor, model) triple. */
    static long streamKey(long seed, String tensorName, int modelIndex) {
        long h = 0xcbf29ce484222325L; // FNV-1a 64 over the UTF-8 name
        for (byte b : tensorName.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return mix64(mix64(seed ^ mix64(h)) + (modelIndex + 1L) * 0x9E3779B97F4A7C15L);
    }

    /** A uniform integer in [0, 2^32) for element {@code index} of the stream {@code key}. */
    static long uniformBits(long key, long index) {
        return Integer.toUnsignedLong(hash32(hash32((int) index ^ lowKey(key, index)) ^ (int) (key >>> 32)));
    }

    /** The bound {@code t} such that {@code uniformBits < t} has probability {@code density} (to 2^-32). */
    static long threshold(double density) {
        if (!(density >= 0)) {
            throw new IllegalArgumentException("density " + density);
        }
        return density >= 1 ? 1L << 32 : (long) Math.ceil(density * 0x1p32);
    }

    /** True when element {@code index} is kept. */
    static boolean keep(long key, long index, long threshold) {
        return uniformBits(key, index) < threshold;
    }

    /**
     * Applies the drop to elements {@code [start, start + count)} held in {@code x}: dropped ones become 0, kept ones
     * are divided by {@code density} when rescaling ({@code res = delta * mask; res /= density}). Same decisions as
     * {@link #keep}, computed a vector at a time.
     */
    static void apply(long key, long start, float[] x, int count, double density, boolean rescale) {
        long threshold = threshold(density);
        if (threshold >= 1L << 32) {
            return;
        }
        float d = (float) density;
        int e = 0;
        // Vector path while the index's upper 32 bits (folded into the key) stay the same.
        if (I.length() == F.length() && (start >>> 32) == ((start + count - 1) >>> 32)) {
            int k1 = lowKey(key, start);
            int k2 = (int) (key >>> 32);
            int t = (int) threshold; // compared unsigned
            IntVector lane = IntVector.zero(I).addIndex(1);
            int upper = F.loopBound(count);
            for (; e < upper; e += F.length()) {
                IntVector idx = lane.add((int) (start + e));
                IntVector h = hash32(hash32(idx.lanewise(VectorOperators.XOR, k1)).lanewise(VectorOperators.XOR, k2));
                VectorMask<Float> kept = h.compare(VectorOperators.ULT, t).cast(F);
                FloatVector v = FloatVector.fromArray(F, x, e);
                if (rescale) {
                    v = v.div(d);
                }
                FloatVector.zero(F).blend(v, kept).intoArray(x, e);
            }
        }
        for (; e < count; e++) {
            float kept = rescale ? x[e] / d : x[e];
            x[e] = keep(key, start + e, threshold) ? kept : 0f;
        }
    }

    /** The low half of the key, changed for each 2^32 block of indices (tensors of more elements are rare). */
    private static int lowKey(long key, long index) {
        return (int) key ^ hash32((int) (index >>> 32) * 0x9E3779B9 + 0x632BE5AB);
    }

    /** A 32-bit integer mixer ("lowbias32", C. Wellons): bijective, good avalanche. */
    static int hash32(int x) {
        x ^= x >>> 16;
        x *= 0x7feb352d;
        x ^= x >>> 15;
        x *= 0x846ca68b;
        x ^= x >>> 16;
        return x;
    }

    private static IntVector hash32(IntVector x) {
        x = x.lanewise(VectorOperators.XOR, x.lanewise(VectorOperators.LSHR, 16));
        x = x.mul(0x7feb352d);
        x = x.lanewise(VectorOperators.XOR, x.lanewise(VectorOperators.LSHR, 15));
        x = x.mul(0x846ca68b);
        return x.lanewise(VectorOperators.XOR, x.lanewise(VectorOperators.LSHR, 16));
    }

    /** The SplitMix64 finaliser (Steele, Lea, Flood 2014): a bijective 64-bit mixer. */
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
