package org.aloe4j.tensors;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import org.aloe4j.formats.gguf.GGMLType;

/**
 * A 2-D weight matrix in one ggml storage type, read in place from a (usually memory-mapped) little-endian
 * {@link MemorySegment}; nothing is copied onto the heap. Row {@code r} holds {@link #cols()} values (ggml's
 * {@code ne0}) in {@link #rowBytes()} bytes at byte offset {@code r * rowBytes()}. A 1-D tensor has one row.
 *
 * <p>Each type offers two ways to read a row: {@link #dequantizeRow} is the scalar reference, bit-identical to ggml's
 * {@code dequantize_row_*}; {@link #dot} is the fast Vector API kernel used by {@link MatMul}. {@link #dotReference}
 * ties them together for tests.
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public abstract class Tensor {
    private final String name;
    private final GGMLType type;
    private final MemorySegment data;
    private final long rows;
    private final int cols;
    private final long rowBytes;

    /**
     * @throws IllegalArgumentException naming the tensor when the shape does not fit the type's blocks or the data
     *     size is not {@code rows * rowBytes}
     */
    protected Tensor(String name, GGMLType type, MemorySegment data, long rows, int cols) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = Objects.requireNonNull(type, "type");
        this.data = Objects.requireNonNull(data, "data");
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException(
                    "tensor '" + name + "': shape " + rows + " x " + cols + " is empty or negative");
        }
        if (cols % type.blockSize != 0) {
            throw new IllegalArgumentException("tensor '" + name + "': row length " + cols
                    + " is not a multiple of the " + type + " block size " + type.blockSize);
        }
        this.rows = rows;
        this.cols = cols;
        this.rowBytes = type.bytesFor(cols);
        long expected;
        try {
            expected = Math.multiplyExact(rows, rowBytes);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("tensor '" + name + "': " + rows + " rows of " + rowBytes
                    + " bytes overflow a long");
        }
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException("tensor '" + name + "': " + type + " " + rows + " x " + cols
                    + " needs " + expected + " bytes but the data has " + data.byteSize());
        }
    }

    public String name() {
        return name;
    }

    public GGMLType type() {
        return type;
    }

    public long rows() {
        return rows;
    }

    /** Values per row (ggml {@code ne0}). */
    public int cols() {
        return cols;
    }

    public MemorySegment data() {
        return data;
    }

    /** Bytes per row. */
    public long rowBytes() {
        return rowBytes;
    }

    /**
     * Writes row {@code row} as floats to {@code out[outOffset .. outOffset + cols)}, bit-identical to ggml's
     * {@code dequantize_row_*} (scalar; the reference that every kernel is tested against).
     */
    public void dequantizeRow(long row, float[] out, int outOffset) {
        checkRow(row);
        Objects.checkFromIndexSize(outOffset, cols, out.length);
        int blockSize = type.blockSize;
        long offset = row * rowBytes;
        for (int i = 0; i < cols; i += blockSize, offset += type.blockBytes) {
            dequantizeBlock(offset, out, outOffset + i);
        }
    }

    /**
     * Writes {@code blocks} whole blocks of row {@code row}, starting at block {@code firstBlock}, as floats to
     * {@code out[outOffset ..]}: bit-identical to the same values of {@link #dequantizeRow}. This is the fast decoder
     * of the prefill kernel ({@link MatMul#matmul}), which decodes each weight once and applies it to many rows.
     */
    public final void dequantizeBlocks(long row, int firstBlock, int blocks, float[] out, int outOffset) {
        checkRow(row);
        int blockSize = type.blockSize;
        Objects.checkFromIndexSize(firstBlock, blocks, cols / blockSize);
        Objects.checkFromIndexSize(outOffset, blocks * blockSize, out.length);
        decodeBlocks(row * rowBytes + (long) firstBlock * type.blockBytes, blocks, out, outOffset);
    }

    /**
     * {@link #dequantizeBlocks} after validation; types with a vector decoder override it (the default decodes one
     * block at a time with {@link #dequantizeBlock}).
     */
    protected void decodeBlocks(long offset, int blocks, float[] out, int outOffset) {
        int blockSize = type.blockSize;
        for (int b = 0; b < blocks; b++, offset += type.blockBytes, outOffset += blockSize) {
            dequantizeBlock(offset, out, outOffset);
        }
    }

    /**
     * Decodes the block that starts at byte {@code offset} of {@link #data()} into {@code blockSize} floats at
     * {@code out[outOffset]}, exactly as ggml does. Bounds were checked by the caller.
     */
    protected abstract void dequantizeBlock(long offset, float[] out, int outOffset);

    /**
     * The dot product of row {@code row} with {@code x[xOffset .. xOffset + cols)}, by the type's vector kernel. Its
     * float accumulation order differs from {@link #dotReference}; see the tests for the error bound.
     */
    public abstract float dot(long row, float[] x, int xOffset);

    /**
     * Row {@code row} dotted with {@code n} activation rows: {@code out[outOffset + i * outStride] = dot(row, x,
     * xOffset + i * xStride)} for {@code i < n}, bit for bit. Types with a batched kernel override it to decode each
     * weight block once for several activation rows while performing, for each of them, exactly the float operations
     * of {@link #dot} (same accumulators, lanes, order and final reduction); the default calls {@link #dot} per row.
     */
    public void dotRows(long row, float[] x, int xOffset, int xStride, int n, float[] out, int outOffset,
            int outStride) {
        checkDotRows(row, x, xOffset, xStride, n, out, outOffset, outStride);
        if (Simd.ENABLED && hasBatchedKernel()) {
            dotRowsInGroups(row, x, xOffset, xStride, n, out, outOffset, outStride);
            return;
        }
        for (int i = 0; i < n; i++) {
            out[outOffset + i * outStride] = dot(row, x, xOffset + i * xStride);
        }
    }

    /**
     * {@link #dotRows} for two weight rows at once: row {@code row}'s results go to {@code out[outOffset + k *
     * outStride]}, row {@code row + 1}'s to the element after each, bit for bit {@link #dot}. A type with a float
     * tile kernel ({@link #hasFloatTileKernel}) loads each activation vector once for both rows and converts each
     * weight vector once per four activation rows ({@link #tile2x4}; the two or three left by {@link #tile2x2}).
     */
    public final void dotRowPair(long row, float[] x, int xOffset, int xStride, int n, float[] out, int outOffset,
            int outStride) {
        checkDotRows(row, x, xOffset, xStride, n, out, outOffset, outStride);
        checkSecondRow(row, n, out, outOffset, outStride);
        if (!(Simd.ENABLED && hasFloatTileKernel())) {
            dotRows(row, x, xOffset, xStride, n, out, outOffset, outStride);
            dotRows(row + 1, x, xOffset, xStride, n, out, outOffset + 1, outStride);
            return;
        }
        long offset = row * rowBytes;
        float[] lanes = DOT4_LANES.get();
        int k = 0;
        for (; k + 4 <= n; k += 4) {
            int x0 = xOffset + k * xStride, o0 = outOffset + k * outStride;
            tile2x4(offset, offset + rowBytes, x, x0, x0 + xStride, x0 + 2 * xStride, x0 + 3 * xStride, out, o0,
                    o0 + outStride, o0 + 2 * outStride, o0 + 3 * outStride, lanes);
        }
        for (; k + 2 <= n; k += 2) {
            int x0 = xOffset + k * xStride, o0 = outOffset + k * outStride;
            tile2x2(offset, offset + rowBytes, x, x0, x0 + xStride, out, o0, o0 + outStride, lanes);
        }
        if (k < n) {
            int x0 = xOffset + k * xStride, o0 = outOffset + k * outStride;
            out[o0] = dot(row, x, x0);
            out[o0 + 1] = dot(row + 1, x, x0);
        }
    }

    /**
     * What a two-row method ({@link #dotRowPair}, {@link #dotRowPairQuantized}) checks beyond its one-row twin: row
     * {@code row + 1} exists, and its outputs (one past each of row {@code row}'s) fit in {@code out}.
     */
    private void checkSecondRow(long row, int n, float[] out, int outOffset, int outStride) {
        checkRow(row + 1);
        if (n > 0) {
            Objects.checkIndex(outOffset + (long) (n - 1) * outStride + 1, out.length);
        }
    }

    /** Whether this type implements {@link #tile2x4} and {@link #tile2x2} (at this vector width). */
    protected boolean hasFloatTileKernel() {
        return false;
    }

    /**
     * The float tile kernel: {@code out[oK] = dot(row0, x, xK)} and {@code out[oK + 1] = dot(row0 + 1, x, xK)} for
     * K = 0, 1, where the two weight rows start at bytes {@code offset0} and {@code offset1}; bounds already checked.
     */
    protected void tile2x2(long offset0, long offset1, float[] x, int x0, int x1, float[] out, int o0, int o1,
            float[] lanes) {
        throw new UnsupportedOperationException(type + " has no float tile kernel");
    }

    /**
     * {@link #tile2x2} for four activation rows {@code x0..x3} with outputs {@code o0..o3} (row0 + 1's after each);
     * {@code lanes} holds at least {@code 8 * Simd.LANES} floats.
     */
    protected void tile2x4(long offset0, long offset1, float[] x, int x0, int x1, int x2, int x3, float[] out,
            int o0, int o1, int o2, int o3, float[] lanes) {
        throw new UnsupportedOperationException(type + " has no float tile kernel");
    }

    /** Whether this type implements {@link #dot4}, so that {@link #dotRows} decodes each weight once per 4 rows. */
    protected boolean hasBatchedKernel() {
        return false;
    }

    /** Activation rows per call of a batched kernel: 4 rows' accumulators fit the vector registers. */
    protected static final int DOT_ROWS_GROUP = 4;

    /**
     * Per thread: scratch for the vectors {@link #dot4} (four) and the tile kernels ({@link #tile2x4Quantized},
     * {@link #tile2x4}: eight) reduce (no allocation per call on the hot path).
     */
    private static final ThreadLocal<float[]> DOT4_LANES =
            ThreadLocal.withInitial(() -> new float[2 * DOT_ROWS_GROUP * Simd.LANES]);

    /**
     * {@link #dotRows} of a type with a batched kernel: groups of {@link #DOT_ROWS_GROUP} rows go to {@link #dot4};
     * a remainder of 2 or 3 rows too, its missing rows repeating the last one (their results are written twice to
     * the same place, identical); a single row goes to {@link #dot}. Arguments already checked.
     */
    private void dotRowsInGroups(long row, float[] x, int xOffset, int xStride, int n, float[] out, int outOffset,
            int outStride) {
        long offset = row * rowBytes;
        float[] lanes = DOT4_LANES.get();
        int i = 0;
        for (; i < n; i += DOT_ROWS_GROUP) {
            int left = n - i;
            if (left == 1) {
                out[outOffset + i * outStride] = dot(row, x, xOffset + i * xStride);
                break;
            }
            int x0 = xOffset + i * xStride;
            int o0 = outOffset + i * outStride;
            int x1 = x0 + xStride, o1 = o0 + outStride;
            int x2 = left > 2 ? x1 + xStride : x1, o2 = left > 2 ? o1 + outStride : o1;
            int x3 = left > 3 ? x2 + xStride : x2, o3 = left > 3 ? o2 + outStride : o2;
            dot4(offset, x, x0, x1, x2, x3, out, o0, o1, o2, o3, lanes);
        }
    }

    /**
     * The batched kernel of a type whose {@link #hasBatchedKernel} is true: {@code out[oK] =
     * dot(row, x, xK)} for K = 0..3 and the row at byte {@code offset}, bounds already checked. {@code lanes} is
     * scratch space for four vectors, to reduce them with {@link VectorSums#ordered(float[], int, int)}.
     */
    protected void dot4(long offset, float[] x, int x0, int x1, int x2, int x3, float[] out, int o0, int o1, int o2,
            int o3, float[] lanes) {
        throw new UnsupportedOperationException(type + " has no batched dot kernel");
    }

    private void checkDotRows(long row, float[] x, int xOffset, int xStride, int n, float[] out, int outOffset,
            int outStride) {
        checkRow(row);
        if (n < 0) {
            throw new IllegalArgumentException("tensor '" + name + "': negative row count " + n);
        }
        for (int i = 0; i < n; i++) {
            Objects.checkFromIndexSize(xOffset + (long) i * xStride, cols, x.length);
            Objects.checkIndex(outOffset + (long) i * outStride, out.length);
        }
    }

    /**
     * The 8-bit activation format whose integer form this type's integer kernel ({@link #dotQuantized}) takes, or null
     * when it has none; then {@link MatMul} rounds the activations to floats and uses {@link #dot}.
     */
    public ActivationFormat integerActivations() {
        return null;
    }

    /**
     * The dot product of row {@code row} with activation row {@code i} of {@code a} (in {@link #integerActivations}'s
     * format), as llama.cpp computes it: per block, the exact sum of the weights' integer values times {@code q},
     * then scaled by the weight and activation block scales. Summation order across blocks is the type's own (fixed,
     * the same in {@link #dotRowsQuantized}).
     *
     * @throws UnsupportedOperationException if this type has no integer kernel
     */
    public float dotQuantized(long row, QuantizedActivations a, int i) {
        throw new UnsupportedOperationException(type + " has no integer dot kernel");
    }

    /**
     * {@code out[outOffset + k * outStride] = dotQuantized(row, a, first + k)} for {@code k < n}, bit for bit, each
     * weight block decoded once per group of 4 activation rows ({@link #dot4Quantized}).
     */
    public final void dotRowsQuantized(long row, QuantizedActivations a, int first, int n, float[] out, int outOffset,
            int outStride) {
        checkQuantizedRows(row, a, first, n, out, outOffset, outStride);
        long offset = row * rowBytes;
        float[] lanes = DOT4_LANES.get();
        for (int k = 0; k < n; k += DOT_ROWS_GROUP) {
            int left = n - k;
            int i0 = first + k, o0 = outOffset + k * outStride;
            if (left == 1) {
                out[o0] = dotQuantized(row, a, i0);
                break;
            }
            int i1 = i0 + 1, o1 = o0 + outStride;
            int i2 = left > 2 ? i1 + 1 : i1, o2 = left > 2 ? o1 + outStride : o1;
            int i3 = left > 3 ? i2 + 1 : i2, o3 = left > 3 ? o2 + outStride : o2;
            dot4Quantized(offset, a, i0, i1, i2, i3, out, o0, o1, o2, o3, lanes);
        }
    }

    /**
     * {@link #dotRowsQuantized} for two weight rows at once: row {@code row}'s results go to {@code out[outOffset +
     * k * outStride]}, row {@code row + 1}'s to the element after each, bit for bit {@link #dotQuantized}. A type with
     * a tile kernel ({@link #hasTileKernel}) loads each activation block once for both rows and decodes each weight
     * block once per 4 activation rows; prefill and batched decode spend most of their time here.
     */
    public final void dotRowPairQuantized(long row, QuantizedActivations a, int first, int n, float[] out,
            int outOffset, int outStride) {
        checkQuantizedRows(row, a, first, n, out, outOffset, outStride);
        checkSecondRow(row, n, out, outOffset, outStride);
        int tiled = Simd.ENABLED && hasTileKernel() ? n - n % DOT_ROWS_GROUP : 0;
        if (tiled > 0) {
            long offset = row * rowBytes;
            float[] lanes = DOT4_LANES.get();
            for (int k = 0; k < tiled; k += DOT_ROWS_GROUP) {
                int i0 = first + k, o0 = outOffset + k * outStride;
                tile2x4Quantized(offset, offset + rowBytes, a, i0, i0 + 1, i0 + 2, i0 + 3, out, o0, o0 + outStride,
                        o0 + 2 * outStride, o0 + 3 * outStride, lanes);
            }
        }
        if (tiled < n) {
            int o = outOffset + tiled * outStride;
            dotRowsQuantized(row, a, first + tiled, n - tiled, out, o, outStride);
            dotRowsQuantized(row + 1, a, first + tiled, n - tiled, out, o + 1, outStride);
        }
    }

    /**
     * Whether this type's tile kernel first unpacks its two weight rows (and keeps the last pair), so that
     * {@link MatMul} should hand it all activation rows of a row pair at once instead of chunk by chunk.
     */
    protected boolean tileUnpacksRows() {
        return false;
    }

    /** Whether this type implements {@link #tile2x4Quantized} (at the machine's vector width). */
    protected boolean hasTileKernel() {
        return false;
    }

    /**
     * The tile kernel: for K = 0..3, {@code out[oK] = dotQuantized(row0, a, iK)} and {@code out[oK + 1] =
     * dotQuantized(row0 + 1, a, iK)}, where the two weight rows start at bytes {@code offset0} and {@code offset1};
     * bounds already checked. {@code lanes} is scratch for eight vectors.
     */
    protected void tile2x4Quantized(long offset0, long offset1, QuantizedActivations a, int i0, int i1, int i2,
            int i3, float[] out, int o0, int o1, int o2, int o3, float[] lanes) {
        throw new UnsupportedOperationException(type + " has no tile kernel");
    }

    /**
     * The end of a 4-row kernel ({@link #dot4}, {@link #dot4Quantized}): {@code lanes} holds its four accumulators
     * of {@link Simd#LANES} floats, each reduced in the order of {@link VectorSums#ordered(float[], int, int)} into
     * {@code out[oK]}.
     */
    protected static void reduceGroup(float[] lanes, float[] out, int o0, int o1, int o2, int o3) {
        int n = Simd.LANES;
        out[o0] = VectorSums.ordered(lanes, 0, n);
        out[o1] = VectorSums.ordered(lanes, n, n);
        out[o2] = VectorSums.ordered(lanes, 2 * n, n);
        out[o3] = VectorSums.ordered(lanes, 3 * n, n);
    }

    /**
     * The end of a 16-lane tile kernel: {@code lanes} holds its eight accumulators (first weight row's four
     * activation rows, then the second's), each reduced in the order of {@link VectorSums#ordered(float[], int, int)}.
     * Not vector-typed on purpose: vectors passed to a method the JIT does not inline are boxed.
     */
    protected static void reduceTile(float[] lanes, float[] out, int o0, int o1, int o2, int o3) {
        out[o0] = VectorSums.ordered(lanes, 0, 16);
        out[o1] = VectorSums.ordered(lanes, 16, 16);
        out[o2] = VectorSums.ordered(lanes, 32, 16);
        out[o3] = VectorSums.ordered(lanes, 48, 16);
        out[o0 + 1] = VectorSums.ordered(lanes, 64, 16);
        out[o1 + 1] = VectorSums.ordered(lanes, 80, 16);
        out[o2 + 1] = VectorSums.ordered(lanes, 96, 16);
        out[o3 + 1] = VectorSums.ordered(lanes, 112, 16);
    }

    /**
     * The batched integer kernel: {@code out[oK] = dotQuantized(row, a, iK)} for K = 0..3 and the row at byte
     * {@code offset}, bounds already checked; {@code lanes} is scratch for four vectors.
     */
    protected void dot4Quantized(long offset, QuantizedActivations a, int i0, int i1, int i2, int i3, float[] out,
            int o0, int o1, int o2, int o3, float[] lanes) {
        throw new UnsupportedOperationException(type + " has no integer dot kernel");
    }

    /** Validates the arguments of {@link #dotRowsQuantized}: row, activation rows and strided outputs in range. */
    private void checkQuantizedRows(long row, QuantizedActivations a, int first, int n, float[] out, int outOffset,
            int outStride) {
        checkQuantized(row, a, first);
        if (n < 0) {
            throw new IllegalArgumentException("tensor '" + name + "': negative row count " + n);
        }
        Objects.checkFromIndexSize(first, n, a.rows);
        if (n > 0) {
            Objects.checkIndex(outOffset, out.length);
            Objects.checkIndex(outOffset + (long) (n - 1) * outStride, out.length);
        }
    }

    /** Validates the arguments of {@link #dotQuantized} and returns the byte offset of the row. */
    protected final long checkQuantized(long row, QuantizedActivations a, int i) {
        checkRow(row);
        if (a.format != integerActivations() || a.cols != cols) {
            throw new IllegalArgumentException("tensor '" + name + "' (" + type + ", " + cols + " columns) needs "
                    + integerActivations() + " activations of " + cols + " values, not " + a.format + " of " + a.cols);
        }
        Objects.checkIndex(i, a.rows);
        return row * rowBytes;
    }

    /**
     * Q4_1 and Q5_1 only: {@code sum over the row's blocks b of min_b * c[cOffset + b]}, the part of llama.cpp's
     * dot with {@link ActivationFormat#Q8_1} activations that uses the stored (fp16) block sums.
     *
     * @throws UnsupportedOperationException for types without a block minimum
     */
    public float minsDot(long row, float[] c, int cOffset) {
        throw new UnsupportedOperationException(type + " blocks have no minimum term");
    }

    /** Sum of the fp16 value at byte {@code minOffset} of each block of a row times {@code c[cOffset + block]}. */
    protected final float blockFp16Dot(long row, int minOffset, float[] c, int cOffset) {
        checkRow(row);
        int blocks = cols / type.blockSize;
        java.util.Objects.checkFromIndexSize(cOffset, blocks, c.length);
        long offset = row * rowBytes + minOffset;
        float sum = 0;
        for (int b = 0; b < blocks; b++, offset += type.blockBytes) {
            sum += Simd.f16(data, offset) * c[cOffset + b];
        }
        return sum;
    }

    /** The dot product computed from {@link #dequantizeRow} with a double accumulator: the oracle for {@link #dot}. */
    public float dotReference(long row, float[] x, int xOffset) {
        Objects.checkFromIndexSize(xOffset, cols, x.length);
        float[] w = new float[cols];
        dequantizeRow(row, w, 0);
        double sum = 0;
        for (int j = 0; j < cols; j++) {
            sum += (double) w[j] * x[xOffset + j];
        }
        return (float) sum;
    }

    /** One value, dequantized exactly (scalar; decodes its whole block). */
    public float get(long row, int col) {
        checkRow(row);
        Objects.checkIndex(col, cols);
        int blockSize = type.blockSize;
        int block = col / blockSize;
        float[] values = new float[blockSize];
        dequantizeBlock(row * rowBytes + (long) block * type.blockBytes, values, 0);
        return values[col - block * blockSize];
    }

    @Override
    public String toString() {
        return name + " " + type + " [" + rows + " x " + cols + "]";
    }

    /** Validates the arguments of {@link #dot} and returns the byte offset of the row. */
    protected final long rowOffsetForDot(long row, float[] x, int xOffset) {
        checkRow(row);
        Objects.checkFromIndexSize(xOffset, cols, x.length);
        return row * rowBytes;
    }

    protected final void checkRow(long row) {
        if (row < 0 || row >= rows) {
            throw new IndexOutOfBoundsException("tensor '" + name + "': row " + row + " out of [0, " + rows + ")");
        }
    }

    /**
     * The dot product without vectors, for machines where {@link Simd#ENABLED} is false: each block is decoded by
     * the reference and summed in float.
     */
    protected final float dotScalar(long row, float[] x, int xOffset) {
        long offset = rowOffsetForDot(row, x, xOffset);
        int blockSize = type.blockSize;
        float[] w = new float[blockSize];
        float sum = 0;
        for (int i = 0; i < cols; i += blockSize, offset += type.blockBytes) {
            dequantizeBlock(offset, w, 0);
            float partial = 0;
            for (int j = 0; j < blockSize; j++) {
                partial += w[j] * x[xOffset + i + j];
            }
            sum += partial;
        }
        return sum;
    }
}
