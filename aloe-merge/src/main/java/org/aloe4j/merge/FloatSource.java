package org.aloe4j.merge;

/**
 * The elements of one input tensor as float32, read in ranges by element index (row-major), so that a merge never
 * holds a whole tensor. Implementations are safe for concurrent reads of different ranges.
 */
interface FloatSource {

    /** Number of elements. */
    long size();

    /** Reads elements {@code [start, start + count)} into {@code dst[off..off + count)}. */
    void read(long start, float[] dst, int off, int count);

    /**
     * Says that elements {@code [start, start + count)} will not be needed again soon, so that a memory-mapped source
     * can drop their pages from this process (keeps the resident set small while streaming through big files).
     */
    default void release(long start, int count) {}

    /** A source over an array (tests, small tensors). */
    static FloatSource of(float[] values) {
        return new FloatSource() {
            @Override
            public long size() {
                return values.length;
            }

            @Override
            public void read(long start, float[] dst, int off, int count) {
                System.arraycopy(values, Math.toIntExact(start), dst, off, count);
            }
        };
    }
}
