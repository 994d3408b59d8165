package org.aloe4j.model;

/**
 * Keys and values of one sequence, per layer, for positions 0..capacity-1. Row {@code pos} of a layer holds the
 * (already rotated) keys of all KV heads at that position, {@code kvDim} floats.
 */
public final class KVCache {
    final float[][] keys;
    final float[][] values;
    private final int capacity;
    private final int kvDim;

    public KVCache(int layers, int capacity, int kvDim) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("context length must be positive, got " + capacity);
        }
        if ((long) capacity * kvDim > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("context length " + capacity + " too large for one cache row array");
        }
        this.capacity = capacity;
        this.kvDim = kvDim;
        keys = new float[layers][capacity * kvDim];
        values = new float[layers][capacity * kvDim];
    }

    /** The number of positions this cache can hold. */
    public int capacity() {
        return capacity;
    }

    public int kvDim() {
        return kvDim;
    }

    /** Bytes held by the cache (keys and values, all layers). */
    public long bytes() {
        return 2L * keys.length * capacity * kvDim * Float.BYTES;
    }

    /**
     * For benchmarks: fills positions {@code [0, positions)} of every layer with seeded random keys and values, as if
     * a context of that length had been processed (attention costs the same whatever the values are).
     */
    public void fillRandom(int positions, long seed) {
        if (positions < 0 || positions > capacity) {
            throw new IllegalArgumentException("cannot fill " + positions + " positions of a " + capacity
                    + "-position cache");
        }
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        for (int l = 0; l < keys.length; l++) {
            for (int i = 0, n = positions * kvDim; i < n; i++) {
                keys[l][i] = (float) random.nextDouble(-1, 1);
                values[l][i] = (float) random.nextDouble(-1, 1);
            }
        }
    }
}
