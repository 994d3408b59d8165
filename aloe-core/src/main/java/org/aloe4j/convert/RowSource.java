package org.aloe4j.convert;

/**
 * The float values of a matrix, one row at a time. Called from several threads at once for different rows, so an
 * implementation keeps no mutable state (or keeps it per thread).
 */
@FunctionalInterface
public interface RowSource {

    /** Writes row {@code row} ({@code cols} values) to {@code dst[offset ..]}. */
    void read(long row, float[] dst, int offset);
}
