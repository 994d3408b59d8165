package org.aloe4j.merge;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.aloe4j.formats.safetensors.SafeTensor;
import org.aloe4j.formats.safetensors.SafeTensorsDType;

/**
 * A {@link FloatSource} over a tensor of a memory-mapped safetensors file, optionally viewed as its top-left
 * sub-matrix (mergekit's handling of embedding matrices whose vocabulary sizes differ).
 */
final class SafeTensorSource implements FloatSource {
    private final MemorySegment data;
    private final SafeTensorsDType dtype;
    private final long size;
    /** Columns of the view and of the stored matrix; equal when the view is the whole tensor. */
    private final long viewColumns;
    private final long storedColumns;

    private SafeTensorSource(SafeTensor tensor, long size, long viewColumns, long storedColumns) {
        if (!ElementCodec.isSupported(tensor.dtype())) {
            throw new IllegalArgumentException(tensor.name() + ": not a floating-point tensor: " + tensor.dtype());
        }
        this.data = tensor.data();
        this.dtype = tensor.dtype();
        this.size = size;
        this.viewColumns = viewColumns;
        this.storedColumns = storedColumns;
    }

    /** The whole tensor. */
    static SafeTensorSource of(SafeTensor tensor) {
        long columns = tensor.rank() == 0 ? 1 : tensor.dim(tensor.rank() - 1);
        return new SafeTensorSource(tensor, tensor.elements(), columns, columns);
    }

    /** The top-left {@code rows x columns} sub-matrix of a 2-D tensor at least that large. */
    static SafeTensorSource subMatrix(SafeTensor tensor, long rows, long columns) {
        if (tensor.rank() != 2 || tensor.dim(0) < rows || tensor.dim(1) < columns) {
            throw new IllegalArgumentException(tensor.name() + ": " + Arrays.toString(tensor.shape())
                    + " has no " + rows + "x" + columns + " sub-matrix");
        }
        return new SafeTensorSource(tensor, rows * columns, columns, tensor.dim(1));
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void read(long start, float[] dst, int off, int count) {
        if (viewColumns == storedColumns) {
            ElementCodec.read(data, dtype, start, dst, off, count);
            return;
        }
        // A cropped view: copy row piece by row piece.
        long e = start;
        int done = 0;
        while (done < count) {
            long row = e / viewColumns;
            long col = e % viewColumns;
            int n = (int) Math.min(count - done, viewColumns - col);
            ElementCodec.read(data, dtype, row * storedColumns + col, dst, off + done, n);
            done += n;
            e += n;
        }
    }

    @Override
    public void release(long start, int count) {
        if (!data.isMapped() || count == 0) {
            return;
        }
        long first = storedIndex(start);
        long last = storedIndex(start + count - 1);
        long bytes = dtype.byteSize();
        // unload() rounds to whole pages; a page shared with a neighbouring range is simply read again if needed.
        data.asSlice(first * bytes, (last - first + 1) * bytes).unload();
    }

    private long storedIndex(long e) {
        return viewColumns == storedColumns ? e : (e / viewColumns) * storedColumns + e % viewColumns;
    }
}
