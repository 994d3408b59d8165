package org.aloe4j.merge;

import java.nio.charset.StandardCharsets;

/**
 * The random keep/drop decisions of DARE, made by a counter-based generator: the decision for element {@code i} of
 * tensor {@code name} in model {@code m} is a hash of (seed, name, m, i). It therefore depends on nothing else —
 * not on which thread computes it, in which order, or how the tensor is cut into chunks — so a merge is reproducible
 * from its seed. Each element is kept with probability {@code density} (a Bernoulli draw, as
 * {@code torch.bernoulli(full_like(delta, density))} in mergekit; the draws themselves cannot match torch's).
 */
final class DareMask {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private DareMask() {}

    /** The stream of one (seed, tensor, model) triple. */
    static long streamKey(long seed, String tensorName, int modelIndex) {
        long h = 0xcbf29ce484222325L; // FNV-1a 64 over the UTF-8 name
        for (byte b : tensorName.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return mix(mix(seed ^ mix(h)) + (modelIndex + 1L) * GOLDEN);
    }

    /** A uniform integer in [0, 2^53) for element {@code index} of the stream {@code key}. */
    static long uniformBits(long key, long index) {
        return mix(key + (index + 1) * GOLDEN) >>> 11;
    }

    /**
     * The bound {@code t} such that {@code uniformBits < t} has probability {@code density} (to 2^-53): the integer
     * form of {@code u < density} for {@code u = uniformBits * 2^-53}.
     */
    static long threshold(double density) {
        if (!(density >= 0)) {
            throw new IllegalArgumentException("density " + density);
        }
        return density >= 1 ? 1L << 53 : (long) Math.ceil(density * 0x1p53);
    }

    /** True when element {@code index} is kept. */
    static boolean keep(long key, long index, long threshold) {
        return uniformBits(key, index) < threshold;
    }

    /** The SplitMix64 finaliser (Steele, Lea, Flood 2014): a bijective 64-bit mixer. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
