package org.aloe4j.convert;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.function.LongUnaryOperator;
import org.aloe4j.formats.safetensors.SafeTensor;

/**
 * The rows of a safetensors matrix ({@code [rows, cols]}, F32 / F16 / BF16) as floats, read in place from the mapped
 * file, optionally in another row order ({@code output row r = source row order(r)}).
 */
final class SafeTensorRows implements RowSource {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final SafeTensor tensor;
    private final MemorySegment data;
    private final int cols;
    private final LongUnaryOperator order;

    SafeTensorRows(SafeTensor tensor, int cols, LongUnaryOperator order) {
        this.tensor = tensor;
        this.data = tensor.data();
        this.cols = cols;
        this.order = order;
    }

    @Override
    public void read(long row, float[] dst, int offset) {
        long src = order == null ? row : order.applyAsLong(row);
        switch (tensor.dtype()) {
            case BF16 -> {
                long base = src * cols * 2;
                for (int i = 0; i < cols; i++) {
                    dst[offset + i] = Float.intBitsToFloat((data.get(SHORT, base + 2L * i) & 0xFFFF) << 16);
                }
            }
            case F16 -> {
                long base = src * cols * 2;
                for (int i = 0; i < cols; i++) {
                    dst[offset + i] = Float.float16ToFloat(data.get(SHORT, base + 2L * i));
                }
            }
            case F32 -> MemorySegment.copy(data, FLOAT, src * cols * 4, dst, offset, cols);
            default -> throw new IllegalStateException("dtype " + tensor.dtype() + " was not checked");
        }
    }
}
