package org.aloe4j.convert;

/**
 * Fast seeded random numbers for synthetic weights. The stream is SplitMix64 (Steele, Lea and Flood); each 64-bit
 * draw gives four values, each its 16-bit part used as an index into a fixed table of 65536 standard normal samples
 * (drawn once by Box-Muller from a fixed seed). So the values are exactly normal in distribution (a resampling of a
 * 65536-point normal sample), at the cost of a quarter of a draw each.
 */
final class SplitMix {
    private SplitMix() {}

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final float[] NORMAL = normalTable();

    /** A well-mixed function of {@code z} (SplitMix64's finaliser). */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static float[] normalTable() {
        float[] t = new float[1 << 16];
        long state = 0x5EED;
        for (int i = 0; i < t.length; i += 2) {
            state += GOLDEN;
            double u1 = ((mix(state) >>> 11) + 1) * 0x1.0p-53; // (0, 1]
            state += GOLDEN;
            double u2 = (mix(state) >>> 11) * 0x1.0p-53;
            double r = Math.sqrt(-2 * Math.log(u1));
            t[i] = (float) (r * Math.cos(2 * Math.PI * u2));
            t[i + 1] = (float) (r * Math.sin(2 * Math.PI * u2));
        }
        return t;
    }

    /** Fills {@code n} values with mean 0 and standard deviation {@code std} from the stream seeded by {@code seed}. */
    static void fillGaussian(long seed, float[] dst, int off, int n, float std) {
        float[] table = NORMAL;
        long state = seed;
        int i = 0;
        for (; i + 4 <= n; i += 4) {
            state += GOLDEN;
            long z = mix(state);
            dst[off + i] = table[(int) (z & 0xFFFF)] * std;
            dst[off + i + 1] = table[(int) ((z >>> 16) & 0xFFFF)] * std;
            dst[off + i + 2] = table[(int) ((z >>> 32) & 0xFFFF)] * std;
            dst[off + i + 3] = table[(int) (z >>> 48)] * std;
        }
        if (i < n) {
            state += GOLDEN;
            long z = mix(state);
            for (; i < n; i++, z >>>= 16) {
                dst[off + i] = table[(int) (z & 0xFFFF)] * std;
            }
        }
    }
}
