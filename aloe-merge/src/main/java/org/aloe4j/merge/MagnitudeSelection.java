package org.aloe4j.merge;

/**
 * TIES' trim step for one task vector: which elements are among the {@code k} largest by magnitude, found exactly
 * without sorting or holding the tensor. The float32 bit patterns of non-negative floats order like the floats, so
 * the k-th largest magnitude is found by a two-pass radix selection (a histogram of the upper 16 bits, then of the
 * lower 16 bits inside the bin that holds the k-th element). Elements equal to that threshold are kept in index
 * order until exactly k are kept (mergekit uses {@code argsort(|delta|, descending)[:k]}, whose order among equal
 * values is unspecified); a third pass then records how many such ties precede each chunk, so chunks can be decided
 * independently and in parallel.
 *
 * <p>With {@code rescale}, the kept values are multiplied by {@code sum|delta| / sum|kept|} (mergekit's L1
 * {@code rescaled_masked_tensor}), unless either sum is below 1e-7.
 */
final class MagnitudeSelection {
    private static final int BINS = 1 << 16;

    /** Reads elements {@code [start, start + count)} of the task vector into {@code dst[0..count)}. */
    @FunctionalInterface
    interface ChunkReader {
        void read(long start, int count, float[] dst);
    }

    private final int thresholdBits;
    private final long keepAtThreshold;
    /** Ties (elements equal to the threshold) before each chunk; null when every tie is kept. */
    private final long[] tiesBeforeChunk;
    private final int chunkElements;
    private final float scale;

    private MagnitudeSelection(int thresholdBits, long keepAtThreshold, long[] tiesBeforeChunk, int chunkElements,
            float scale) {
        this.thresholdBits = thresholdBits;
        this.keepAtThreshold = keepAtThreshold;
        this.tiesBeforeChunk = tiesBeforeChunk;
        this.chunkElements = chunkElements;
        this.scale = scale;
    }

    /**
     * Selects the {@code k} largest magnitudes among {@code size} elements read chunk by chunk.
     *
     * @param k 1 to {@code size}
     */
    static MagnitudeSelection select(long size, long k, int chunkElements, ChunkReader reader, boolean rescale) {
        if (k < 1 || k > size) {
            throw new IllegalArgumentException("k = " + k + " of " + size);
        }
        float[] buf = new float[(int) Math.min(chunkElements, size)];
        long[] high = new long[BINS];
        double[] highSum = new double[BINS];
        double total = 0;
        for (long start = 0; start < size; start += chunkElements) {
            int n = (int) Math.min(chunkElements, size - start);
            reader.read(start, n, buf);
            for (int i = 0; i < n; i++) {
                int bits = Float.floatToRawIntBits(buf[i]) & 0x7fffffff;
                high[bits >>> 16]++;
                if (rescale) {
                    double a = Float.intBitsToFloat(bits);
                    highSum[bits >>> 16] += a;
                    total += a;
                }
            }
        }
        long above = 0;
        double aboveSum = 0;
        int hb = BINS - 1;
        while (above + high[hb] < k) {
            above += high[hb];
            aboveSum += highSum[hb];
            hb--;
        }
        long[] low = new long[BINS];
        double[] lowSum = new double[BINS];
        for (long start = 0; start < size; start += chunkElements) {
            int n = (int) Math.min(chunkElements, size - start);
            reader.read(start, n, buf);
            for (int i = 0; i < n; i++) {
                int bits = Float.floatToRawIntBits(buf[i]) & 0x7fffffff;
                if (bits >>> 16 == hb) {
                    low[bits & 0xffff]++;
                    if (rescale) {
                        lowSum[bits & 0xffff] += Float.intBitsToFloat(bits);
                    }
                }
            }
        }
        int lb = BINS - 1;
        while (above + low[lb] < k) {
            above += low[lb];
            aboveSum += lowSum[lb];
            lb--;
        }
        int threshold = hb << 16 | lb;
        long ties = low[lb];
        long keepTies = k - above;
        long[] tiesBefore = null;
        if (keepTies < ties) {
            int chunks = (int) ((size + chunkElements - 1) / chunkElements);
            tiesBefore = new long[chunks];
            long seen = 0;
            for (int c = 0; c < chunks; c++) {
                long start = (long) c * chunkElements;
                int n = (int) Math.min(chunkElements, size - start);
                tiesBefore[c] = seen;
                reader.read(start, n, buf);
                for (int i = 0; i < n; i++) {
                    if ((Float.floatToRawIntBits(buf[i]) & 0x7fffffff) == threshold) {
                        seen++;
                    }
                }
            }
        }
        float scale = 1f;
        if (rescale) {
            // As torch does: both sums in float32, the factor their float32 quotient.
            float before = (float) total;
            float after = (float) (aboveSum + keepTies * (double) Float.intBitsToFloat(threshold));
            if (!(before < 1e-7f) && !(after < 1e-7f)) {
                scale = before / after;
            }
        }
        return new MagnitudeSelection(threshold, keepTies, tiesBefore, chunkElements, scale);
    }

    /** The magnitude of the k-th largest element. */
    float threshold() {
        return Float.intBitsToFloat(thresholdBits);
    }

    /** The L1 rescaling factor applied to kept values (1 without rescaling). */
    float scale() {
        return scale;
    }

    /** Zeroes the dropped elements of the chunk at {@code start} (a multiple of the chunk size) and rescales the rest. */
    void apply(long start, float[] delta, int count) {
        if (start % chunkElements != 0) {
            throw new IllegalArgumentException("chunk start " + start + " is not a multiple of " + chunkElements);
        }
        long tiesSeen = tiesBeforeChunk == null ? 0 : tiesBeforeChunk[(int) (start / chunkElements)];
        boolean allTies = tiesBeforeChunk == null;
        for (int i = 0; i < count; i++) {
            int bits = Float.floatToRawIntBits(delta[i]) & 0x7fffffff;
            boolean keep = bits > thresholdBits || bits == thresholdBits && (allTies || tiesSeen++ < keepAtThreshold);
            delta[i] = keep ? (scale == 1f ? delta[i] : delta[i] * scale) : 0f;
        }
    }
}
