package org.aloe4j.eval.method;

import java.nio.charset.StandardCharsets;

/**
 * Per-call seeds derived from the run's seed, the item id, the run number and the attempt, so that a run gives the
 * same requests whatever the concurrency and whether or not it was resumed. 31-bit non-negative values, which
 * every server accepts.
 */
public final class Seeds {
    private Seeds() {}

    public static Long derive(Long runSeed, String itemId, int sample, int attempt) {
        if (runSeed == null) {
            return null;
        }
        long h = 0xcbf29ce484222325L; // FNV-1a over the id's bytes
        for (byte b : itemId.getBytes(StandardCharsets.UTF_8)) {
            h ^= (b & 0xff);
            h *= 0x100000001b3L;
        }
        long x = mix(runSeed ^ mix(h) ^ mix(((long) sample << 32) | (attempt & 0xffffffffL)));
        return x & 0x7fffffffL;
    }

    /** SplitMix64's finaliser. */
    private static long mix(long z) {
        z += 0x9e3779b97f4a7c15L;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
