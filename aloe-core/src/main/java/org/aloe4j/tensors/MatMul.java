package org.aloe4j.tensors;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * Matrix-vector and matrix-matrix products of a weight {@link Tensor} with float activations, optionally brought
 * first to the precision that llama.cpp uses for that weight type ({@link ActivationFormat}).
 */
public final class MatMul {
    private MatMul() {}

    /** Per calling thread: the rounded activations and Q8_1 block-sum corrections, grown as needed. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);

    /** Per calling thread: activations in integer form, for the weight types with an integer kernel. */
    private static final ThreadLocal<QuantizedActivations> QUANTIZED =
            ThreadLocal.withInitial(QuantizedActivations::new);

    /**
     * {@link #matmul(Tensor, float[], int, float[])} after rounding each activation row to {@code format}; with
     * {@link ActivationFormat#Q8_1} the Q4_1/Q5_1 min terms use the block sums as llama.cpp stores them. Types with
     * an integer kernel for {@code format} ({@link Tensor#integerActivations}) get the activations in integer form
     * instead and compute llama.cpp's block sums exactly ({@link Tensor#dotQuantized}).
     */
    public static void matmul(Tensor w, float[] x, int n, float[] out, ActivationFormat format) {
        if (Simd.ENABLED && format.hasIntegerForm() && w.integerActivations() == format && !(GEMM && n > 1)) {
            if (n < 0) {
                throw new IllegalArgumentException("negative batch size " + n);
            }
            Objects.checkFromIndexSize(0, Math.multiplyExact(n, intRows(w)), out.length);
            QuantizedActivations a = QUANTIZED.get().quantize(format, x, n, w.cols());
            if (n == 1) {
                matvec(w, null, 0, a, out, 0);
            } else if (n > 1) {
                batch(w, null, a, n, out);
            }
            return;
        }
        float[] in = x;
        float[] corrections = null;
        int blocksPerRow = w.cols() / format.blockSize;
        if (format != ActivationFormat.F32) {
            int cols = w.cols();
            int values = Math.multiplyExact(n, cols);
            Objects.checkFromIndexSize(0, values, x.length);
            float[][] scratch = SCRATCH.get();
            if (scratch[0].length < values) {
                scratch[0] = new float[values];
            }
            in = scratch[0];
            if (format == ActivationFormat.Q8_1) {
                if (scratch[1].length < n * blocksPerRow) {
                    scratch[1] = new float[n * blocksPerRow];
                }
                corrections = scratch[1];
            }
            for (int i = 0; i < n; i++) {
                format.round(x, i * cols, cols, in, i * cols, corrections, i * blocksPerRow);
            }
        }
        if (n == 1) {
            matvec(w, in, 0, out, 0);
        } else {
            matmul(w, in, n, out);
        }
        if (corrections != null) {
            int rows = intRows(w);
            for (int i = 0; i < n; i++) {
                for (int r = 0; r < rows; r++) {
                    out[i * rows + r] += w.minsDot(r, corrections, i * blocksPerRow);
                }
            }
        }
    }

    /**
     * System property {@code aloe.gemm=true} turns on {@link Gemm} for batches (prefill 3-7x faster in the kernel
     * benchmark). Off by default: its float summation order differs from the dot kernels', which flips an 8-bit
     * activation rounding in the tiny Q6_K fixture model (logits 0.027 from llama.cpp's instead of 3e-7).
     */
    static final boolean GEMM = Boolean.getBoolean("aloe.gemm");

    /** Below this many weight bytes a product runs on the calling thread (handing out work costs more). */
    static final long PARALLEL_MIN_BYTES = 1 << 16;

    /** {@code out[outOffset + r] = w.dot(r, x, xOffset)} for every row {@code r}, rows split over {@link Parallel}. */
    public static void matvec(Tensor w, float[] x, int xOffset, float[] out, int outOffset) {
        Objects.checkFromIndexSize(xOffset, w.cols(), x.length);
        matvec(w, x, xOffset, null, out, outOffset);
    }

    /** {@link #matvec} of float activations {@code x}, or (when {@code a} is not null) of row 0 of {@code a}. */
    private static void matvec(Tensor w, float[] x, int xOffset, QuantizedActivations a, float[] out, int outOffset) {
        int rows = intRows(w);
        Objects.checkFromIndexSize(outOffset, rows, out.length);
        if (w.data().byteSize() < PARALLEL_MIN_BYTES) {
            matvecRows(w, x, xOffset, a, out, outOffset, 0, rows);
        } else {
            MatvecJob job = MATVEC_JOB.get();
            job.set(w, x, xOffset, a, out, outOffset);
            try {
                Parallel.forRange(0, rows, job);
            } finally {
                job.set(null, null, 0, null, null, 0);
            }
        }
    }

    /** Per calling thread, the matvec job handed to the pool: reused, so that a decode step allocates nothing. */
    private static final ThreadLocal<MatvecJob> MATVEC_JOB = ThreadLocal.withInitial(MatvecJob::new);

    private static final class MatvecJob implements IntRangeBody {
        private Tensor w;
        private float[] x, out;
        private QuantizedActivations a;
        private int xOffset, outOffset;

        void set(Tensor w, float[] x, int xOffset, QuantizedActivations a, float[] out, int outOffset) {
            this.w = w;
            this.x = x;
            this.xOffset = xOffset;
            this.a = a;
            this.out = out;
            this.outOffset = outOffset;
        }

        @Override
        public void run(int start, int end) {
            matvecRows(w, x, xOffset, a, out, outOffset, start, end);
        }
    }

    private static void matvecRows(Tensor w, float[] x, int xOffset, QuantizedActivations a, float[] out,
            int outOffset, int start, int end) {
        if (a != null) {
            for (int r = start; r < end; r++) {
                out[outOffset + r] = w.dotQuantized(r, a, 0);
            }
        } else {
            for (int r = start; r < end; r++) {
                out[outOffset + r] = w.dot(r, x, xOffset);
            }
        }
    }

    /**
     * A batch of products: {@code x} holds {@code n} activation rows of {@code w.cols()} values back to back, and
     * {@code out[i * w.rows() + r] = w.dot(r, x, i * w.cols())}, bit for bit (whatever {@code n} is, so a sequence
     * gets the same logits alone or batched with others). One row goes to {@link #matvec}; two or more to
     * {@link Tensor#dotRows}, which decodes each weight block once for several activation rows; the weight rows are
     * split over {@link Parallel} and walked in tiles of {@link #ROW_TILE} (see {@link #batchRows}). With
     * {@code aloe.gemm=true}, {@link Gemm} instead (faster, but not bit-identical to {@link Tensor#dot}).
     */
    public static void matmul(Tensor w, float[] x, int n, float[] out) {
        int rows = intRows(w);
        int cols = w.cols();
        if (n < 0) {
            throw new IllegalArgumentException("negative batch size " + n);
        }
        Objects.checkFromIndexSize(0, Math.multiplyExact(n, cols), x.length);
        Objects.checkFromIndexSize(0, Math.multiplyExact(n, rows), out.length);
        if (n == 0) {
            return;
        }
        if (n == 1) {
            matvec(w, x, 0, out, 0);
            return;
        }
        if (GEMM) {
            if (w.data().byteSize() * n < PARALLEL_MIN_BYTES) {
                Gemm.rows(w, x, n, out, 0, rows);
            } else {
                int groups = (rows + Gemm.ROWS - 1) / Gemm.ROWS;
                Parallel.forRange(0, groups, (start, end) ->
                        Gemm.rows(w, x, n, out, start * Gemm.ROWS, Math.min(rows, end * Gemm.ROWS)));
            }
            return;
        }
        batch(w, x, null, n, out);
    }

    /** The batched products of float activations {@code x}, or (when {@code a} is not null) of {@code a}'s rows. */
    private static void batch(Tensor w, float[] x, QuantizedActivations a, int n, float[] out) {
        int rows = (int) w.rows();
        if (w.data().byteSize() * n < PARALLEL_MIN_BYTES) {
            batchRows(w, x, a, n, out, 0, rows);
        } else {
            BatchJob job = BATCH_JOB.get();
            job.set(w, x, a, n, out);
            try {
                Parallel.forRange(0, rows, job);
            } finally {
                job.set(null, null, null, 0, null);
            }
        }
    }

    /** Weight rows walked together over one chunk of activation rows (their bytes stay in L1/L2 meanwhile). */
    static final int ROW_TILE = 16;
    /** Activation rows per chunk: {@code ACT_CHUNK * cols} floats are re-read from L2 for each row of a tile. */
    static final int ACT_CHUNK = 8;

    /** {@link #matmul}'s batched products for weight rows {@code [start, end)} and all {@code n} activation rows. */
    private static void batchRows(Tensor w, float[] x, QuantizedActivations q, int n, float[] out, int start,
            int end) {
        if (q != null && w.tileUnpacksRows()) {
            // its tile kernel unpacks each row pair first: one pair against all activation rows, unpacked once
            rowPairs(w, x, q, start, end, 0, n, out);
            return;
        }
        long touched = 0;
        for (int r0 = start; r0 < end; r0 += ROW_TILE) {
            int r1 = Math.min(end, r0 + ROW_TILE);
            touched += touch(w.data(), r0 * w.rowBytes(), r1 * w.rowBytes());
            for (int a = 0; a < n; a += ACT_CHUNK) {
                rowPairs(w, x, q, r0, r1, a, Math.min(ACT_CHUNK, n - a), out);
            }
        }
        touchSink = touched;
    }

    /**
     * Reads one byte of every cache line of {@code data[from, to)}, bringing a tile's weights into cache in one
     * fast pass before the tile kernels use them. Java has no prefetch instruction, and inside a tile kernel the
     * out-of-order window holds only ~20 weight lines in flight (its many multiply-adds per line fill it), so the
     * kernels waited on memory about as long as they computed; this loop keeps ~100 lines in flight. With two
     * threads it made a BF16 tile pass 1.3-1.5x faster (docs/performance.md). Returns the bytes' sum so that the
     * loads are not removed as dead code.
     */
    static long touch(MemorySegment data, long from, long to) {
        long sum = 0;
        for (long o = from; o < to; o += CACHE_LINE) {
            sum += data.get(ValueLayout.JAVA_BYTE, o);
        }
        return sum;
    }

    private static final int CACHE_LINE = 64;

    /** Where {@link #batchRows} leaves {@link #touch}'s sum: the value means nothing, the store keeps the loads. */
    @SuppressWarnings("unused")
    private static long touchSink;

    /**
     * Weight rows {@code [r0, r1)} against activation rows {@code [a, a + m)} of {@code x}, or of {@code q} when it
     * is not null: two weight rows at a time (the tile kernels), an odd last row alone.
     */
    private static void rowPairs(Tensor w, float[] x, QuantizedActivations q, int r0, int r1, int a, int m,
            float[] out) {
        int rows = (int) w.rows();
        int cols = w.cols();
        int r = r0;
        for (; r + 1 < r1; r += 2) {
            if (q != null) {
                w.dotRowPairQuantized(r, q, a, m, out, a * rows + r, rows);
            } else {
                w.dotRowPair(r, x, a * cols, cols, m, out, a * rows + r, rows);
            }
        }
        if (r < r1) {
            if (q != null) {
                w.dotRowsQuantized(r, q, a, m, out, a * rows + r, rows);
            } else {
                w.dotRows(r, x, a * cols, cols, m, out, a * rows + r, rows);
            }
        }
    }

    /** Per calling thread, the batch job handed to the pool, reused like {@link #MATVEC_JOB}. */
    private static final ThreadLocal<BatchJob> BATCH_JOB = ThreadLocal.withInitial(BatchJob::new);

    private static final class BatchJob implements IntRangeBody {
        private Tensor w;
        private float[] x, out;
        private QuantizedActivations a;
        private int n;

        void set(Tensor w, float[] x, QuantizedActivations a, int n, float[] out) {
            this.w = w;
            this.x = x;
            this.a = a;
            this.n = n;
            this.out = out;
        }

        @Override
        public void run(int start, int end) {
            batchRows(w, x, a, n, out, start, end);
        }
    }

    private static int intRows(Tensor w) {
        if (w.rows() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor '" + w.name() + "' has too many rows for a float[] output: "
                    + w.rows());
        }
        return (int) w.rows();
    }
}
