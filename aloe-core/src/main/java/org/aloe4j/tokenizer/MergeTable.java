package org.aloe4j.tokenizer;

/**
 * BPE merge rules: (left id, right id) to (rank, merged id), in an open-addressing hash table keyed by the packed
 * pair, so that the hot loop of {@link BytePairMerger} neither boxes nor allocates.
 */
final class MergeTable {
    private static final long EMPTY = -1L;

    private final long[] keys;
    private final int[] ranks;
    private final int[] mergedIds;
    private final int mask;
    private int size;

    MergeTable(int expectedEntries) {
        int capacity = Integer.highestOneBit(Math.max(4, expectedEntries) * 2 - 1) << 1;
        keys = new long[capacity];
        java.util.Arrays.fill(keys, EMPTY);
        ranks = new int[capacity];
        mergedIds = new int[capacity];
        mask = capacity - 1;
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private static int hash(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 29));
    }

    /**
     * Adds a rule unless the pair already has one: the first (lowest-ranked) occurrence wins, as in llama.cpp.
     * Returns whether it was added.
     */
    boolean putIfAbsent(int left, int right, int rank, int mergedId) {
        if (size * 2 >= keys.length) {
            throw new IllegalStateException("merge table sized for fewer entries");
        }
        long k = key(left, right);
        int slot = hash(k) & mask;
        while (keys[slot] != EMPTY) {
            if (keys[slot] == k) {
                return false;
            }
            slot = (slot + 1) & mask;
        }
        keys[slot] = k;
        ranks[slot] = rank;
        mergedIds[slot] = mergedId;
        size++;
        return true;
    }

    /** The slot of the rule for this pair, or -1. */
    int find(int left, int right) {
        long k = key(left, right);
        int slot = hash(k) & mask;
        long found;
        while ((found = keys[slot]) != EMPTY) {
            if (found == k) {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    int rankAt(int slot) {
        return ranks[slot];
    }

    int mergedIdAt(int slot) {
        return mergedIds[slot];
    }

    int size() {
        return size;
    }
}
