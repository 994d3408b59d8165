package org.aloe4j.server;

/**
 * A backend's load at one moment and its totals since start.
 *
 * @param parallel       sequences that can run at once
 * @param running        sequences running now
 * @param queued         sequences waiting for a slot
 * @param queueCapacity  the most that may wait
 * @param steps          forward passes run (local engine; 0 for a remote backend)
 * @param batchRows      rows over all forward passes (prompt and decode rows)
 * @param promptTokens   prompt tokens processed
 * @param generatedTokens tokens generated
 * @param cancelled      sequences cancelled before their end (client gone or stopped)
 * @param cachesAllocated KV caches ever allocated (the pool reuses them)
 */
public record BackendStats(int parallel, int running, int queued, int queueCapacity, long steps, long batchRows,
        long promptTokens, long generatedTokens, long cancelled, int cachesAllocated) {}
