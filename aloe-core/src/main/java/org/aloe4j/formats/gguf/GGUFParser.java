package org.aloe4j.formats.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.aloe4j.formats.ModelFormatException;
import org.aloe4j.formats.Printable;

/**
 * Reads and validates the header, metadata and tensor table of a memory-mapped GGUF file. Every count and length
 * read from the file is checked against the bytes left before anything is allocated, so a corrupt file ends in a
 * one-line {@link ModelFormatException}, never in an OutOfMemoryError or an index exception.
 */
final class GGUFParser {
    static final int MAGIC_BYTES = 0x46554747; // "GGUF" read as a little-endian int
    static final int DEFAULT_ALIGNMENT = 32;
    static final int MAX_DIMS = 4;
    /** Longest metadata string accepted (64 MiB): far above any real value, far below the heap. */
    static final long MAX_STRING_BYTES = 1L << 26;
    /** Most metadata array elements accepted in one file (all arrays together): ~100x a large vocabulary. */
    static final long MAX_ARRAY_ELEMENTS = 1L << 26;
    /** Deepest nesting of arrays of arrays accepted; guards the recursion. */
    static final int MAX_ARRAY_DEPTH = 64;
    /** Fewest bytes one tensor info can take: name length, n_dims, one dim, type, offset. */
    private static final int MIN_TENSOR_INFO_BYTES = 8 + 4 + 8 + 4 + 8;
    /** Fewest bytes one metadata entry can take: key length, type, a one-byte value. */
    private static final int MIN_KV_BYTES = 8 + 4 + 1;

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble DOUBLE =
            ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path file;
    private final MemorySegment seg;
    private final long size;
    private long pos;
    private byte[] scratch = new byte[256];
    private long arrayElementsLeft = MAX_ARRAY_ELEMENTS;
    /** What is being read, for error messages (set per item, read only when failing). */
    private String context = "header";
    private long tensorCount;

    // Results.
    int version;
    long alignment;
    long dataOffset;
    final Map<String, Object> metadata = new LinkedHashMap<>();
    final Map<String, GGUFValueType> types = new HashMap<>();
    final Map<String, GGUFValueType> elementTypes = new HashMap<>();
    final List<GGUFTensorInfo> tensors = new ArrayList<>();

    GGUFParser(Path file, MemorySegment seg) {
        this.file = file;
        this.seg = seg;
        this.size = seg.byteSize();
    }

    void parse() {
        readHeaderAndMetadata();
        alignment = readAlignment();
        readTensorInfos();
        dataOffset = alignUp(pos, alignment);
        if (!tensors.isEmpty() && dataOffset > size) {
            throw fail("truncated: the data section would start at byte " + dataOffset + " but the file has "
                    + size + " bytes");
        }
        checkTensorPlacement();
    }

    private void readHeaderAndMetadata() {
        if (size < 4 || seg.get(INT, 0) != MAGIC_BYTES) {
            String found = size < 4 ? "a file of " + size + " bytes" : "magic " + hex4(seg.get(INT, 0));
            throw fail("not a GGUF file (" + found + ", expected \"GGUF\")");
        }
        pos = 4;
        context = "the header";
        version = u32("version");
        if (version == 1) {
            throw fail("GGUF version 1 is not supported (only versions 2 and 3)");
        }
        if (version != 2 && version != 3) {
            int swapped = Integer.reverseBytes(version);
            if (swapped >= 1 && swapped <= 3) {
                throw fail("big-endian GGUF files are not supported");
            }
            throw fail("unsupported GGUF version " + Integer.toUnsignedString(version) + " (only 2 and 3)");
        }
        tensorCount = u64("tensor count");
        long kvCount = u64("metadata count");
        checkCount(tensorCount, MIN_TENSOR_INFO_BYTES, "tensor count");
        checkCount(kvCount, MIN_KV_BYTES, "metadata entry count");
        for (long i = 0; i < kvCount; i++) {
            context = "metadata entry " + i;
            String key = string("key");
            context = "metadata entry " + i + " ('" + Printable.of(key) + "')";
            if (metadata.containsKey(key)) {
                throw fail("duplicate metadata key '" + Printable.of(key) + "'");
            }
            GGUFValueType type = valueType(u32("value type"), "value type");
            Object value;
            if (type == GGUFValueType.ARRAY) {
                GGUFValueType elementType = valueType(u32("array element type"), "array element type");
                elementTypes.put(key, elementType);
                value = arrayBody(elementType, 1);
            } else {
                value = scalar(type);
            }
            types.put(key, type);
            metadata.put(key, value);
        }
    }

    private long readAlignment() {
        context = "metadata";
        Object value = metadata.get("general.alignment");
        if (value == null) {
            return DEFAULT_ALIGNMENT;
        }
        long a;
        if (value instanceof Integer i) {
            a = i;
        } else if (value instanceof Long l) {
            a = l;
        } else {
            throw fail("general.alignment has type " + types.get("general.alignment") + ", expected UINT32");
        }
        if (a <= 0 || Long.bitCount(a) != 1) {
            throw fail("general.alignment " + a + " is not a power of two");
        }
        return a;
    }

    private void readTensorInfos() {
        // Checked against the whole file before the metadata; now against what the metadata left.
        checkCount(tensorCount, MIN_TENSOR_INFO_BYTES, "tensor count");
        Set<String> names = new HashSet<>();
        for (long i = 0; i < tensorCount; i++) {
            context = "tensor info " + i;
            String name = string("name");
            context = "tensor info " + i + " ('" + Printable.of(name) + "')";
            if (!names.add(name)) {
                throw fail("duplicate tensor name '" + Printable.of(name) + "'");
            }
            String shown = Printable.of(name);
            int nDims = u32("dimension count");
            if (nDims < 1 || nDims > MAX_DIMS) {
                throw fail("tensor '" + shown + "' has " + Integer.toUnsignedString(nDims)
                        + " dimensions (must be 1 to " + MAX_DIMS + ")");
            }
            long[] dims = new long[nDims];
            long elements = 1;
            for (int d = 0; d < nDims; d++) {
                dims[d] = u64("dimension");
                if (dims[d] <= 0) {
                    throw fail("tensor '" + shown + "' has dimension " + d + " = "
                            + Long.toUnsignedString(dims[d]) + " (must be positive)");
                }
                try {
                    elements = Math.multiplyExact(elements, dims[d]);
                } catch (ArithmeticException e) {
                    throw fail("tensor '" + shown + "' element count overflows (dims "
                            + Arrays.toString(dims) + ")");
                }
            }
            int typeId = u32("type");
            GGMLType type = GGMLType.byId(typeId);
            if (type == null) {
                throw fail("tensor '" + shown + "' has unknown ggml type id " + Integer.toUnsignedString(typeId));
            }
            if (dims[0] % type.blockSize != 0) {
                throw fail("tensor '" + shown + "' row length " + dims[0] + " is not a multiple of the block size "
                        + type.blockSize + " of type " + type);
            }
            if (dims[0] > Integer.MAX_VALUE) {
                throw fail("tensor '" + shown + "' row length " + dims[0] + " is longer than 2^31-1 (not supported)");
            }
            long byteSize;
            try {
                byteSize = type.bytesFor(elements);
            } catch (ArithmeticException e) {
                throw fail("tensor '" + shown + "' byte size overflows (dims " + Arrays.toString(dims) + ")");
            }
            long offset = u64("data offset");
            if (offset < 0) {
                throw fail("tensor '" + shown + "' data offset " + Long.toUnsignedString(offset)
                        + " is beyond the end of the file");
            }
            tensors.add(new GGUFTensorInfo(name, dims, type, offset, byteSize));
        }
    }

    private void checkTensorPlacement() {
        context = "the tensor table";
        long dataBytes = size - Math.min(dataOffset, size);
        for (GGUFTensorInfo t : tensors) {
            if (t.offset() % alignment != 0) {
                throw fail("tensor '" + Printable.of(t.name()) + "' data offset " + t.offset() + " is not a multiple of the alignment "
                        + alignment);
            }
            if (t.offset() > dataBytes || t.byteSize() > dataBytes - t.offset()) {
                throw fail("truncated or bad offset: tensor '" + Printable.of(t.name()) + "' data [" + (dataOffset + t.offset())
                        + ", " + (dataOffset + t.offset() + t.byteSize()) + ") is beyond the end of the file ("
                        + size + " bytes)");
            }
        }
        List<GGUFTensorInfo> byOffset = new ArrayList<>(tensors);
        byOffset.sort(Comparator.comparingLong(GGUFTensorInfo::offset));
        for (int i = 1; i < byOffset.size(); i++) {
            GGUFTensorInfo prev = byOffset.get(i - 1);
            GGUFTensorInfo next = byOffset.get(i);
            if (next.offset() < prev.offset() + prev.byteSize()) {
                throw fail("tensors '" + Printable.of(prev.name()) + "' and '" + Printable.of(next.name()) + "' overlap (data offsets "
                        + prev.offset() + "+" + prev.byteSize() + " and " + next.offset() + ")");
            }
        }
    }

    // ---- metadata values

    private GGUFValueType valueType(int id, String what) {
        GGUFValueType t = GGUFValueType.byId(id);
        if (t == null) {
            throw fail("unknown " + what + " id " + Integer.toUnsignedString(id));
        }
        return t;
    }

    private Object scalar(GGUFValueType type) {
        return switch (type) {
            case UINT8 -> u8("value");
            case INT8 -> (int) (byte) u8("value");
            case UINT16 -> Short.toUnsignedInt(u16("value"));
            case INT16 -> (int) u16("value");
            case UINT32 -> Integer.toUnsignedLong(u32("value"));
            case INT32 -> u32("value");
            case FLOAT32 -> Float.intBitsToFloat(u32("value"));
            case BOOL -> bool();
            case STRING -> string("value");
            case UINT64, INT64 -> u64("value");
            case FLOAT64 -> Double.longBitsToDouble(u64("value"));
            case ARRAY -> arrayBody(valueType(u32("array element type"), "array element type"), 1);
        };
    }

    /** An array's count and elements (its element type already read). */
    private Object arrayBody(GGUFValueType type, int depth) {
        if (depth > MAX_ARRAY_DEPTH) {
            throw fail("arrays nested deeper than " + MAX_ARRAY_DEPTH + " levels");
        }
        long n = u64("array length");
        if (n < 0 || n > (size - pos) / type.minFileBytes()) {
            throw fail("array length " + Long.toUnsignedString(n) + " of " + type
                    + " is larger than the " + (size - pos) + " bytes left in the file");
        }
        if (n > arrayElementsLeft) {
            throw fail("metadata arrays hold more than " + MAX_ARRAY_ELEMENTS + " elements in all (implausible)");
        }
        arrayElementsLeft -= n;
        int len = (int) n;
        switch (type) {
            case UINT8, INT8 -> {
                int[] a = new int[len];
                for (int i = 0; i < len; i++) {
                    byte b = seg.get(ValueLayout.JAVA_BYTE, pos + i);
                    a[i] = type == GGUFValueType.UINT8 ? Byte.toUnsignedInt(b) : b;
                }
                pos += len;
                return a;
            }
            case UINT16, INT16 -> {
                int[] a = new int[len];
                for (int i = 0; i < len; i++) {
                    short s = seg.get(SHORT, pos + 2L * i);
                    a[i] = type == GGUFValueType.UINT16 ? Short.toUnsignedInt(s) : s;
                }
                pos += 2L * len;
                return a;
            }
            case INT32 -> {
                int[] a = new int[len];
                MemorySegment.copy(seg, INT, pos, a, 0, len);
                pos += 4L * len;
                return a;
            }
            case UINT32 -> {
                long[] a = new long[len];
                for (int i = 0; i < len; i++) {
                    a[i] = Integer.toUnsignedLong(seg.get(INT, pos + 4L * i));
                }
                pos += 4L * len;
                return a;
            }
            case INT64, UINT64 -> {
                long[] a = new long[len];
                MemorySegment.copy(seg, LONG, pos, a, 0, len);
                pos += 8L * len;
                return a;
            }
            case FLOAT32 -> {
                float[] a = new float[len];
                MemorySegment.copy(seg, FLOAT, pos, a, 0, len);
                pos += 4L * len;
                return a;
            }
            case FLOAT64 -> {
                double[] a = new double[len];
                MemorySegment.copy(seg, DOUBLE, pos, a, 0, len);
                pos += 8L * len;
                return a;
            }
            case BOOL -> {
                boolean[] a = new boolean[len];
                for (int i = 0; i < len; i++) {
                    a[i] = bool();
                }
                return a;
            }
            case STRING -> {
                String[] a = new String[len];
                for (int i = 0; i < len; i++) {
                    a[i] = string("array element");
                }
                return a;
            }
            case ARRAY -> {
                Object[] a = new Object[len];
                for (int i = 0; i < len; i++) {
                    a[i] = arrayBody(valueType(u32("nested array element type"), "nested array element type"),
                            depth + 1);
                }
                return a;
            }
        }
        throw new AssertionError(type);
    }

    private boolean bool() {
        int b = u8("bool value");
        if (b > 1) {
            throw fail("bool value " + b + " at byte " + (pos - 1) + " (must be 0 or 1)");
        }
        return b == 1;
    }

    /**
     * A length-prefixed string. Invalid UTF-8 is tolerated (malformed bytes become U+FFFD), as llama.cpp does not
     * validate either; the vocabularies of real files are valid UTF-8.
     */
    private String string(String what) {
        long len = u64(what + " length");
        if (len < 0 || len > size - pos) {
            throw fail("string length " + Long.toUnsignedString(len) + " (" + what + ") is larger than the "
                    + (size - pos) + " bytes left in the file");
        }
        if (len > MAX_STRING_BYTES) {
            throw fail("string length " + len + " (" + what + ") is over the " + MAX_STRING_BYTES
                    + "-byte limit (implausible)");
        }
        int n = (int) len;
        if (n == 0) {
            return "";
        }
        if (scratch.length < n) {
            scratch = new byte[Math.max(n, scratch.length * 2)];
        }
        MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, pos, scratch, 0, n);
        pos += n;
        return new String(scratch, 0, n, StandardCharsets.UTF_8);
    }

    // ---- primitives

    private void need(long bytes, String what) {
        if (bytes > size - pos) {
            throw fail("truncated: " + what + " needs " + bytes + " bytes at offset " + pos + " but the file ends at "
                    + size);
        }
    }

    private int u8(String what) {
        need(1, what);
        return Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, pos++));
    }

    private short u16(String what) {
        need(2, what);
        short v = seg.get(SHORT, pos);
        pos += 2;
        return v;
    }

    private int u32(String what) {
        need(4, what);
        int v = seg.get(INT, pos);
        pos += 4;
        return v;
    }

    private long u64(String what) {
        need(8, what);
        long v = seg.get(LONG, pos);
        pos += 8;
        return v;
    }

    private void checkCount(long count, int minBytesEach, String what) {
        long left = size - pos;
        if (count < 0 || count > left / minBytesEach) {
            throw fail(what + " " + Long.toUnsignedString(count) + " is larger than the " + left
                    + " bytes left in the file can hold");
        }
    }

    private static long alignUp(long v, long alignment) {
        return (v + alignment - 1) & -alignment;
    }

    private static String hex4(int littleEndianInt) {
        StringBuilder sb = new StringBuilder("0x");
        for (int i = 0; i < 4; i++) {
            sb.append(String.format("%02x", (littleEndianInt >>> (8 * i)) & 0xff));
        }
        return sb.toString();
    }

    private ModelFormatException fail(String problem) {
        return new ModelFormatException(file, problem + " [in " + context + "]");
    }
}
