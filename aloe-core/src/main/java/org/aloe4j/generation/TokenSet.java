package org.aloe4j.generation;

import java.util.Arrays;

/**
 * The distinct token ids of a sequence (prompt and generated tokens), kept up to date one token at a time: a bitset
 * answers "seen?" in O(1) and a list of the distinct ids lets the repetition penalty visit only those. Not
 * thread-safe; one per sequence.
 */
public final class TokenSet {
    private long[] bits;
    private int[] ids;
    private int size;

    public TokenSet() {
        this(1 << 16);
    }

    /** @param vocabularyHint the expected largest id + 1 (the set grows past it if needed) */
    public TokenSet(int vocabularyHint) {
        bits = new long[Math.max(1, (vocabularyHint + 63) >>> 6)];
        ids = new int[64];
    }

    public static TokenSet of(int... tokens) {
        TokenSet set = new TokenSet(64);
        set.addAll(tokens);
        return set;
    }

    /** Adds a token id; returns whether it was new. */
    public boolean add(int id) {
        if (id < 0) {
            throw new IllegalArgumentException("token id must be >= 0, got " + id);
        }
        int word = id >>> 6;
        if (word >= bits.length) {
            bits = Arrays.copyOf(bits, Math.max(word + 1, bits.length * 2));
        }
        long mask = 1L << id;
        if ((bits[word] & mask) != 0) {
            return false;
        }
        bits[word] |= mask;
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
        return true;
    }

    public void addAll(int[] tokens) {
        for (int t : tokens) {
            add(t);
        }
    }

    public boolean contains(int id) {
        int word = id >>> 6;
        return id >= 0 && word < bits.length && (bits[word] & (1L << id)) != 0;
    }

    /** The number of distinct ids. */
    public int size() {
        return size;
    }

    /** The {@code i}-th distinct id, in the order first added. */
    public int get(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("index " + i + " of " + size);
        }
        return ids[i];
    }

    public void clear() {
        for (int i = 0; i < size; i++) {
            bits[ids[i] >>> 6] = 0;
        }
        size = 0;
    }
}
