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

    /**
     * Says that no element before {@code to} will be needed again, {@code [from, to)} being the range newly finished.
     * Releasing chunk by chunk ({@link #release}) is not enough for a memory-mapped source: the kernel maps more than
     * the faulting page (the cached pages around it, "fault-around", or the whole large folio it is in, up to 2 MB),
     * so a chunk read in parallel with its neighbour can map pages of the neighbour's range after the neighbour
     * released them; such stragglers stayed resident until the end of the merge (measured: about 5% of the input
     * data, growing through the merge). A source may therefore drop everything it has mapped before {@code to}.
     */
    default void releaseFinished(long from, long to) {}

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
