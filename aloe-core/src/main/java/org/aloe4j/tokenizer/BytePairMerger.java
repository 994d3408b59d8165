package org.aloe4j.tokenizer;

/**
 * The BPE merge loop over one pre-token: repeatedly apply the lowest-ranked merge rule, leftmost first on ties,
 * until none applies (Hugging Face's {@code Word::merge_all} and llama.cpp's BPE session agree on this order).
 * Symbols form a linked list over arrays and candidate merges sit in a binary min-heap of packed
 * {@code (rank, position)} longs, so a word of n symbols costs O(n log n) even when it is very long.
 */
final class BytePairMerger {
    private BytePairMerger() {}

    /** Merges {@code ids} (one id per initial symbol) in place and returns the resulting ids. */
    static int[] merge(int[] ids, MergeTable merges) {
        int n = ids.length;
        if (n < 2) {
            return ids;
        }
        int[] next = new int[n];
        int[] prev = new int[n];
        boolean[] removed = new boolean[n];
        long[] heap = new long[n * 2];
        int heapSize = 0;
        for (int i = 0; i < n; i++) {
            next[i] = i + 1 < n ? i + 1 : -1;
            prev[i] = i - 1;
        }
        for (int i = 0; i + 1 < n; i++) {
            int slot = merges.find(ids[i], ids[i + 1]);
            if (slot >= 0) {
                heap = grow(heap, heapSize);
                heapSize = push(heap, heapSize, entry(merges.rankAt(slot), i));
            }
        }
        int remaining = n;
        while (heapSize > 0) {
            long top = heap[0];
            heapSize = pop(heap, heapSize);
            int rank = (int) (top >>> 32);
            int pos = (int) top;
            if (removed[pos] || next[pos] < 0) {
                continue;
            }
            int right = next[pos];
            int slot = merges.find(ids[pos], ids[right]);
            if (slot < 0 || merges.rankAt(slot) != rank) {
                continue; // stale: one side of this pair was merged with something else since it was queued
            }
            ids[pos] = merges.mergedIdAt(slot);
            removed[right] = true;
            remaining--;
            next[pos] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = pos;
            }
            if (prev[pos] >= 0) {
                int s = merges.find(ids[prev[pos]], ids[pos]);
                if (s >= 0) {
                    heap = grow(heap, heapSize);
                    heapSize = push(heap, heapSize, entry(merges.rankAt(s), prev[pos]));
                }
            }
            if (next[pos] >= 0) {
                int s = merges.find(ids[pos], ids[next[pos]]);
                if (s >= 0) {
                    heap = grow(heap, heapSize);
                    heapSize = push(heap, heapSize, entry(merges.rankAt(s), pos));
                }
            }
        }
        int[] out = new int[remaining];
        int k = 0;
        for (int i = 0; i >= 0; i = next[i]) {
            out[k++] = ids[i];
        }
        return out;
    }

    private static long entry(int rank, int pos) {
        return ((long) rank << 32) | pos;
    }

    private static long[] grow(long[] heap, int size) {
        return size < heap.length ? heap : java.util.Arrays.copyOf(heap, heap.length * 2);
    }

    private static int push(long[] heap, int size, long value) {
        int i = size;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (heap[parent] <= value) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = value;
        return size + 1;
    }

    private static int pop(long[] heap, int size) {
        long last = heap[--size];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && heap[child + 1] < heap[child]) {
                child++;
            }
            if (heap[child] >= last) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        if (size > 0) {
            heap[i] = last;
        }
        return size;
    }
}
