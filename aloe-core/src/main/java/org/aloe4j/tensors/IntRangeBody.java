package org.aloe4j.tensors;

/** The work for a contiguous range of indices {@code [start, end)}; see {@link Parallel#forRange}. */
@FunctionalInterface
public interface IntRangeBody {
    void run(int start, int end);
}
