package org.aloe4j.convert;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import org.aloe4j.formats.TensorSource;
import org.aloe4j.formats.gguf.GGMLType;
import org.aloe4j.quantize.Quantizer;
import org.aloe4j.tensors.Parallel;

/**
 * Streams a matrix into a GGUF writer in a ggml type: rows are read and quantized in chunks of about a million
 * values, one chunk per worker thread at a time, and written in order. Memory stays a few chunks per thread whatever
 * the size of the matrix (the 152k x 3584 embedding of Qwen2.5-7B included).
 */
public final class QuantizingSource implements TensorSource {
    private static final int CHUNK_VALUES = 1 << 20;

    private final RowSource rows;
    private final long rowCount;
    private final int cols;
    private final GGMLType type;
    private final Runnable afterEachChunk;

    /**
     * @param afterEachChunk called on the writing thread after each group of chunks (progress); may be null
     */
    public QuantizingSource(RowSource rows, long rowCount, int cols, GGMLType type, Runnable afterEachChunk) {
        if (cols % type.blockSize != 0) {
            throw new IllegalArgumentException("rows of " + cols + " values are not a whole number of " + type
                    + " blocks of " + type.blockSize);
        }
        this.rows = rows;
        this.rowCount = rowCount;
        this.cols = cols;
        this.type = type;
        this.afterEachChunk = afterEachChunk;
    }

    /** Bytes this source writes. */
    public long byteSize() {
        return type.bytesFor(cols) * rowCount;
    }

    @Override
    public void writeTo(WritableByteChannel out) throws IOException {
        Quantizer quantizer = Quantizer.forType(type);
        int threads = Math.max(1, Parallel.threads());
        int rowBytes = Math.toIntExact(type.bytesFor(cols));
        int chunkRows = (int) Math.max(1, Math.min(rowCount, CHUNK_VALUES / cols));
        float[][] values = new float[threads][chunkRows * cols];
        byte[][] blocks = new byte[threads][chunkRows * rowBytes];
        int[] filled = new int[threads];
        for (long start = 0; start < rowCount; start += (long) chunkRows * threads) {
            final long groupStart = start;
            Parallel.forRange(0, threads, (lo, hi) -> {
                for (int t = lo; t < hi; t++) {
                    long first = groupStart + (long) t * chunkRows;
                    int n = (int) Math.max(0, Math.min(chunkRows, rowCount - first));
                    for (int r = 0; r < n; r++) {
                        rows.read(first + r, values[t], r * cols);
                    }
                    quantizer.quantize(values[t], 0, n * cols, blocks[t], 0);
                    filled[t] = n * rowBytes;
                }
            });
            for (int t = 0; t < threads; t++) {
                ByteBuffer b = ByteBuffer.wrap(blocks[t], 0, filled[t]);
                while (b.hasRemaining()) {
                    out.write(b);
                }
            }
            if (afterEachChunk != null) {
                afterEachChunk.run();
            }
        }
    }
}
