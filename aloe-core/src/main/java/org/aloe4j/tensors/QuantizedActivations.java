package org.aloe4j.tensors;

import java.util.Objects;

/**
 * Activation rows in the integer form of an 8-bit llama.cpp format ({@link ActivationFormat#Q8_0} or
 * {@link ActivationFormat#Q8_K}): for each row, its values {@code q} (small integers, kept as floats so that the
 * kernels multiply them without converting), one scale per block, and the sum of {@code q} over every 32 values (the
 * K-quants with a minimum subtract {@code min * sum} per sub-block, as llama.cpp does with its {@code bsums}).
 *
 * <p>Value {@code j} of row {@code i} stands for {@code scale(block of j) * q[j]}, bit for bit what
 * {@link ActivationFormat#round} gives. The integer kernels ({@link Tensor#dotQuantized}) sum weight times {@code q}
 * exactly within a block and apply both scales once per block, like llama.cpp's {@code vec_dot}.
 *
 * <p>Reused: {@link #quantize} grows the arrays as needed, so a decode loop allocates nothing. Not thread-safe to
 * fill; safe to read from many threads once filled.
 */
public final class QuantizedActivations {
    ActivationFormat format;
    int rows;
    int cols;
    float[] q = new float[0];
    float[] scales = new float[0];
    float[] sums32 = new float[0];

    /**
     * Quantizes {@code rows} activation rows of {@code cols} values, stored back to back in {@code x}.
     *
     * @throws UnsupportedOperationException if {@code format} has no integer form
     * @throws IllegalArgumentException if {@code cols} is not a multiple of the format's block size
     */
    public QuantizedActivations quantize(ActivationFormat format, float[] x, int rows, int cols) {
        Objects.requireNonNull(format, "format");
        if (!format.hasIntegerForm()) {
            throw new UnsupportedOperationException(format + " activations have no integer form");
        }
        if (rows < 0 || cols < 0 || cols % format.blockSize != 0) {
            throw new IllegalArgumentException(format + " activations: " + rows + " rows of " + cols
                    + " values (rows must be whole blocks of " + format.blockSize + ")");
        }
        int values = Math.multiplyExact(rows, cols);
        Objects.checkFromIndexSize(0, values, x.length);
        if (q.length < values) {
            q = new float[values];
            sums32 = new float[values / 32];
        }
        if (scales.length < values / format.blockSize) {
            scales = new float[values / format.blockSize];
        }
        this.format = format;
        this.rows = rows;
        this.cols = cols;
        for (int i = 0; i < rows; i++) {
            format.quantize(x, i * cols, cols, q, i * cols, scales, i * (cols / format.blockSize));
        }
        for (int g = 0, n = values / 32; g < n; g++) {
            float sum = 0; // at most 32 * 127 in magnitude: exact
            for (int j = g * 32, end = j + 32; j < end; j++) {
                sum += q[j];
            }
            sums32[g] = sum;
        }
        return this;
    }

    public ActivationFormat format() {
        return format;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    /** Row {@code i}'s value {@code j} as the float it stands for ({@code scale * q}). */
    public float value(int i, int j) {
        Objects.checkIndex(i, rows);
        Objects.checkIndex(j, cols);
        return scales[(i * cols + j) / format.blockSize] * q[i * cols + j];
    }

    /** Offset of row {@code i} in {@link #q}. */
    int qOffset(int i) {
        return i * cols;
    }

    /** Offset of row {@code i}'s first block scale in {@link #scales}. */
    int scaleOffset(int i) {
        return i * (cols / format.blockSize);
    }

    /** Offset of row {@code i}'s first 32-value sum in {@link #sums32}. */
    int sumOffset(int i) {
        return i * (cols / 32);
    }
}
