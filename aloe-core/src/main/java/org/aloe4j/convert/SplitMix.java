package org.aloe4j.convert;

/**
 * Fast seeded random numbers for synthetic weights: SplitMix64 (Steele, Lea and Flood) for the stream, and an
 * approximately normal value per 64-bit draw from the sum of its four 16-bit parts (Irwin-Hall of 4: mean and
 * variance exact, tails cut at 3.46 sigma; plenty for weights that only need to look like weights).
 */
final class SplitMix {
    private SplitMix() {}

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    /** A well-mixed function of {@code z} (SplitMix64's finaliser). */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Fills {@code n} values with mean 0 and standard deviation {@code std} from the stream seeded by {@code seed}. */
    static void fillGaussian(long seed, float[] dst, int off, int n, float std) {
        // each 16-bit part is uniform on 0..65535 (mean 32767.5, variance (65536^2 - 1) / 12); four of them summed
        float scale = (float) (std / Math.sqrt(4 * (65536.0 * 65536.0 - 1) / 12));
        long state = seed;
        for (int i = 0; i < n; i++) {
            state += GOLDEN;
            long z = mix(state);
            long sum = (z & 0xFFFF) + ((z >>> 16) & 0xFFFF) + ((z >>> 32) & 0xFFFF) + (z >>> 48);
            dst[off + i] = (sum - 131070L) * scale;
        }
    }
}
