package org.aloe4j.server;

import java.util.ArrayList;
import java.util.List;
import org.aloe4j.model.KVCache;
import org.aloe4j.model.Transformer;

/**
 * Reuses KV caches between sequences: a real model's cache is hundreds of megabytes, too much to allocate and
 * collect per request. Caches are sized to what a sequence needs (prompt + max new tokens, rounded up), not to the
 * whole context, and at most {@code limit} caches (free and in use) live at once. Scheduler thread only.
 */
final class KVCachePool {
    /** Capacities are rounded up to this, so that caches fit later sequences of similar length. */
    static final int GRANULE = 256;

    private final Transformer transformer;
    private final int contextLength;
    private final List<KVCache> free = new ArrayList<>();
    private int allocated;

    KVCachePool(Transformer transformer, int contextLength) {
        this.transformer = transformer;
        this.contextLength = contextLength;
    }

    /** A cache of at least {@code positions} positions: the smallest free one that fits, else a new one. */
    KVCache take(int positions) {
        KVCache best = null;
        for (KVCache c : free) {
            if (c.capacity() >= positions && (best == null || c.capacity() < best.capacity())) {
                best = c;
            }
        }
        if (best != null) {
            free.remove(best);
            return best;
        }
        if (!free.isEmpty()) {
            free.removeLast(); // too small for this sequence: give its memory back before allocating
        }
        int capacity = Math.min(contextLength, (positions + GRANULE - 1) / GRANULE * GRANULE);
        allocated++;
        return transformer.newCache(capacity);
    }

    void release(KVCache cache) {
        if (cache != null) {
            free.add(cache);
        }
    }

    /** Caches allocated since start (for metrics: a steady count means the pool works). */
    int allocated() {
        return allocated;
    }
}
