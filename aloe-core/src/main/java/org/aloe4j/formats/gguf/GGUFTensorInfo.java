package org.aloe4j.formats.gguf;

import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of a GGUF file's tensor table.
 *
 * @param name the tensor's name, e.g. {@code blk.0.attn_q.weight}
 * @param dims the shape in ggml order: {@code dims[0]} (ne0) is the row length, contiguous in memory; a matrix with
 *     {@code dims = [in, out]} has {@code out} rows of {@code in} values (the transpose of PyTorch's {@code [out, in]}
 *     notation for the same bytes)
 * @param type the ggml element type
 * @param offset where the data starts, relative to the start of the file's data section
 * @param byteSize the size of the data in bytes
 */
public record GGUFTensorInfo(String name, long[] dims, GGMLType type, long offset, long byteSize) {

    public GGUFTensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        dims = dims.clone();
    }

    /** A copy of the dimensions (the record stays immutable). */
    @Override
    public long[] dims() {
        return dims.clone();
    }

    /** Number of dimensions (1 to 4). */
    public int rank() {
        return dims.length;
    }

    /** The product of the dimensions. */
    public long elements() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    /** Values per row: {@code dims[0]}. */
    public int rowLength() {
        return Math.toIntExact(dims[0]);
    }

    /** Number of rows: {@code elements() / dims[0]}. */
    public long rows() {
        return elements() / dims[0];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GGUFTensorInfo t && name.equals(t.name) && Arrays.equals(dims, t.dims)
                && type == t.type && offset == t.offset && byteSize == t.byteSize;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(dims), type, offset, byteSize);
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(dims) + " @" + offset + " (" + byteSize + " bytes)";
    }
}
