package org.aloe4j.formats.gguf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.aloe4j.formats.BufferedFileOutput;
import org.aloe4j.formats.TensorSource;

/**
 * Builds a GGUF v3 file: metadata with explicit types, a tensor table, and the tensor data streamed from a
 * {@link TensorSource} per tensor when {@link #write} reaches it (no tensor data is held in memory). The layout is the
 * one llama.cpp and the Python gguf writer produce: header, metadata in insertion order, tensor infos, zero padding
 * to the alignment, then the tensors in insertion order, each starting at a multiple of the alignment (offset = sum of
 * the padded sizes before it) and each followed by zero padding to the alignment.
 *
 * <p>Values are checked when put (wrong Java type, out of range for the GGUF type: {@link IllegalArgumentException}).
 * Putting an existing key replaces its value and keeps its position. The alignment is {@code general.alignment}
 * when that key is set (see {@link #alignment(long)}), else 32.
 */
public final class GGUFWriter {
    /** GGML_MAX_NAME in ggml.h is 64 bytes including the terminating zero. */
    public static final int MAX_TENSOR_NAME_BYTES = 63;
    private static final String ALIGNMENT_KEY = "general.alignment";

    /**
     * An array value with an explicit element type, for {@link #put} and as an element of an array of arrays, where
     * inferring the type from the Java array (int[] as INT32, long[] INT64, float[] FLOAT32, double[] FLOAT64,
     * boolean[] BOOL, String[] STRING, Object[] ARRAY) is not what is wanted.
     *
     * @param values int[] or long[] for the integer types, float[], double[], boolean[], String[], or Object[] for
     *     ARRAY (elements: TypedArray or inferable Java arrays)
     */
    public record TypedArray(GGUFValueType elementType, Object values) {
        public TypedArray {
            Objects.requireNonNull(elementType, "elementType");
            Objects.requireNonNull(values, "values");
        }
    }

    private record Entry(GGUFValueType type, Object value) {}

    private record PendingTensor(String name, byte[] nameBytes, long[] dims, GGMLType type, long byteSize,
            TensorSource source) {}

    private final Map<String, Entry> metadata = new LinkedHashMap<>();
    private final List<PendingTensor> tensors = new ArrayList<>();
    private final Set<String> tensorNames = new HashSet<>();

    // ---- metadata

    public GGUFWriter putString(String key, String value) {
        return put(key, GGUFValueType.STRING, value);
    }

    public GGUFWriter putInt32(String key, int value) {
        return put(key, GGUFValueType.INT32, value);
    }

    /** A UINT32 value, 0 to 2^32-1. */
    public GGUFWriter putUint32(String key, long value) {
        return put(key, GGUFValueType.UINT32, value);
    }

    /** A UINT64 value; negative longs stand for values above 2^63-1 (two's complement bits are written). */
    public GGUFWriter putUint64(String key, long value) {
        return put(key, GGUFValueType.UINT64, value);
    }

    public GGUFWriter putFloat32(String key, float value) {
        return put(key, GGUFValueType.FLOAT32, value);
    }

    public GGUFWriter putBool(String key, boolean value) {
        return put(key, GGUFValueType.BOOL, value);
    }

    public GGUFWriter putStringArray(String key, String[] values) {
        return putArray(key, GGUFValueType.STRING, values);
    }

    public GGUFWriter putInt32Array(String key, int[] values) {
        return putArray(key, GGUFValueType.INT32, values);
    }

    public GGUFWriter putFloat32Array(String key, float[] values) {
        return putArray(key, GGUFValueType.FLOAT32, values);
    }

    /** An array of {@code elementType}; {@code values} as for {@link TypedArray}. */
    public GGUFWriter putArray(String key, GGUFValueType elementType, Object values) {
        return put(key, GGUFValueType.ARRAY, new TypedArray(elementType, values));
    }

    /** Sets the alignment of the data section and of each tensor ({@code general.alignment}, UINT32). */
    public GGUFWriter alignment(long alignment) {
        if (alignment <= 0 || Long.bitCount(alignment) != 1 || alignment > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("alignment " + alignment + " is not a power of two below 2^32");
        }
        return putUint32(ALIGNMENT_KEY, alignment);
    }

    /**
     * Any value with its GGUF type. Integers: any integral {@link Number} within the type's range (UINT64 takes any
     * long); FLOAT32/FLOAT64: any {@link Number}; BOOL: {@link Boolean}; STRING: {@link String}; ARRAY: a
     * {@link TypedArray} or a Java array whose element type is inferred (see {@link TypedArray}).
     */
    public GGUFWriter put(String key, GGUFValueType type, Object value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, () -> "value of '" + key + "'");
        Object normalized = type == GGUFValueType.ARRAY ? array(key, value) : scalar(key, type, value);
        if (key.equals(ALIGNMENT_KEY)) {
            checkAlignmentEntry(type, normalized);
        }
        metadata.put(key, new Entry(type, normalized));
        return this;
    }

    /**
     * Copies every metadata entry of {@code source} with its stored type (nested arrays of arrays get their inner
     * element types inferred from the Java arrays).
     */
    public GGUFWriter putAll(GGUFFile source) {
        for (Map.Entry<String, Object> e : source.metadata().entrySet()) {
            GGUFValueType type = source.metadataType(e.getKey());
            if (type == GGUFValueType.ARRAY) {
                putArray(e.getKey(), source.arrayElementType(e.getKey()), e.getValue());
            } else {
                put(e.getKey(), type, e.getValue());
            }
        }
        return this;
    }

    /** Removes {@code key} if present. */
    public GGUFWriter remove(String key) {
        metadata.remove(key);
        return this;
    }

    // ---- tensors

    /**
     * Declares a tensor; {@code source} is called during {@link #write} and must write exactly the tensor's bytes.
     *
     * @param dims ggml order: {@code dims[0]} is the row length (a multiple of the type's block size)
     */
    public GGUFWriter addTensor(String name, long[] dims, GGMLType type, TensorSource source) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(source, "source");
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        if (nameBytes.length > MAX_TENSOR_NAME_BYTES) {
            throw new IllegalArgumentException("tensor name '" + name + "' is longer than "
                    + MAX_TENSOR_NAME_BYTES + " bytes (llama.cpp's limit)");
        }
        if (!tensorNames.add(name)) {
            throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
        }
        if (dims.length < 1 || dims.length > GGUFParser.MAX_DIMS) {
            tensorNames.remove(name);
            throw new IllegalArgumentException("tensor '" + name + "' has " + dims.length
                    + " dimensions (must be 1 to 4)");
        }
        long elements = 1;
        for (long d : dims) {
            if (d <= 0) {
                tensorNames.remove(name);
                throw new IllegalArgumentException("tensor '" + name + "' has a non-positive dimension: "
                        + Arrays.toString(dims));
            }
            elements = Math.multiplyExact(elements, d);
        }
        if (dims[0] % type.blockSize != 0) {
            tensorNames.remove(name);
            throw new IllegalArgumentException("tensor '" + name + "' row length " + dims[0]
                    + " is not a multiple of the block size " + type.blockSize + " of " + type);
        }
        tensors.add(new PendingTensor(name, nameBytes, dims.clone(), type, type.bytesFor(elements), source));
        return this;
    }

    /** Bytes of tensor data (with padding) that {@link #write} will stream. */
    public long dataSize() {
        long alignment = alignment();
        long total = 0;
        for (PendingTensor t : tensors) {
            total += alignUp(t.byteSize(), alignment);
        }
        return total;
    }

    /**
     * Writes the file: into {@code out}'s sibling {@code <name>.partial}, which replaces {@code out} once complete
     * (and is deleted on failure).
     */
    public void write(Path out) throws IOException {
        long alignment = alignment();
        Path partial = out.resolveSibling(out.getFileName() + ".partial");
        boolean done = false;
        try {
            try (BufferedFileOutput o = BufferedFileOutput.create(partial)) {
                writeTo(o, alignment);
            }
            Files.move(partial, out, StandardCopyOption.REPLACE_EXISTING);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(partial);
            }
        }
    }

    private void writeTo(BufferedFileOutput o, long alignment) throws IOException {
        o.writeInt(GGUFParser.MAGIC_BYTES);
        o.writeInt(3);
        o.writeLong(tensors.size());
        o.writeLong(metadata.size());
        for (Map.Entry<String, Entry> e : metadata.entrySet()) {
            writeString(o, e.getKey());
            o.writeInt(e.getValue().type().id);
            writeValue(o, e.getValue().type(), e.getValue().value());
        }
        long offset = 0;
        long[] offsets = new long[tensors.size()];
        for (int i = 0; i < tensors.size(); i++) {
            PendingTensor t = tensors.get(i);
            offsets[i] = offset;
            o.writeLong(t.nameBytes().length);
            o.writeBytes(t.nameBytes());
            o.writeInt(t.dims().length);
            for (long d : t.dims()) {
                o.writeLong(d);
            }
            o.writeInt(t.type().id);
            o.writeLong(offset);
            offset += alignUp(t.byteSize(), alignment);
        }
        o.alignTo(alignment);
        long dataStart = o.position();
        for (int i = 0; i < tensors.size(); i++) {
            PendingTensor t = tensors.get(i);
            if (o.position() != dataStart + offsets[i]) {
                throw new IllegalStateException("tensor '" + t.name() + "' lands at the wrong offset");
            }
            BufferedFileOutput.CountingChannel ch = o.itemChannel("tensor '" + t.name() + "'", t.byteSize());
            t.source().writeTo(ch);
            ch.finish();
            o.alignTo(alignment);
        }
    }

    private long alignment() {
        Entry e = metadata.get(ALIGNMENT_KEY);
        return e == null ? GGUFParser.DEFAULT_ALIGNMENT : ((Number) e.value()).longValue();
    }

    private static void checkAlignmentEntry(GGUFValueType type, Object value) {
        if (!(value instanceof Long a) || a <= 0 || Long.bitCount(a) != 1) {
            throw new IllegalArgumentException(ALIGNMENT_KEY + " must be an integer power of two, got " + type + " "
                    + value);
        }
    }

    // ---- value checking: everything is normalized to Long / Float / Double / Boolean / String / TypedArray

    private static Object scalar(String key, GGUFValueType type, Object value) {
        return switch (type) {
            case UINT8 -> integer(key, type, value, 0, 0xFF);
            case INT8 -> integer(key, type, value, Byte.MIN_VALUE, Byte.MAX_VALUE);
            case UINT16 -> integer(key, type, value, 0, 0xFFFF);
            case INT16 -> integer(key, type, value, Short.MIN_VALUE, Short.MAX_VALUE);
            case UINT32 -> integer(key, type, value, 0, 0xFFFF_FFFFL);
            case INT32 -> integer(key, type, value, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case UINT64, INT64 -> integer(key, type, value, Long.MIN_VALUE, Long.MAX_VALUE);
            case FLOAT32 -> {
                if (!(value instanceof Number n)) {
                    throw wrong(key, type, value);
                }
                yield n.floatValue();
            }
            case FLOAT64 -> {
                if (!(value instanceof Number n)) {
                    throw wrong(key, type, value);
                }
                yield n.doubleValue();
            }
            case BOOL -> {
                if (!(value instanceof Boolean)) {
                    throw wrong(key, type, value);
                }
                yield value;
            }
            case STRING -> {
                if (!(value instanceof String)) {
                    throw wrong(key, type, value);
                }
                yield value;
            }
            case ARRAY -> throw new AssertionError();
        };
    }

    private static Long integer(String key, GGUFValueType type, Object value, long min, long max) {
        if (!(value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte)) {
            throw wrong(key, type, value);
        }
        long v = ((Number) value).longValue();
        if (v < min || v > max) {
            throw new IllegalArgumentException("'" + key + "': " + v + " is out of range for " + type);
        }
        return v;
    }

    private static IllegalArgumentException wrong(String key, GGUFValueType type, Object value) {
        return new IllegalArgumentException("'" + key + "': a " + value.getClass().getSimpleName()
                + " cannot be written as " + type);
    }

    /** Checks (and copies) an array value of any depth. */
    private static TypedArray array(String key, Object value) {
        TypedArray a = value instanceof TypedArray t ? t : new TypedArray(inferElementType(key, value), value);
        GGUFValueType et = a.elementType();
        Object v = a.values();
        Object copy = switch (et) {
            case UINT8 -> intArray(key, et, v, 0, 0xFF);
            case INT8 -> intArray(key, et, v, Byte.MIN_VALUE, Byte.MAX_VALUE);
            case UINT16 -> intArray(key, et, v, 0, 0xFFFF);
            case INT16 -> intArray(key, et, v, Short.MIN_VALUE, Short.MAX_VALUE);
            case INT32 -> intArray(key, et, v, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case UINT32 -> longArray(key, et, v, 0, 0xFFFF_FFFFL);
            case INT64, UINT64 -> longArray(key, et, v, Long.MIN_VALUE, Long.MAX_VALUE);
            case FLOAT32 -> {
                if (!(v instanceof float[] f)) {
                    throw wrongArray(key, et, v);
                }
                yield f.clone();
            }
            case FLOAT64 -> {
                if (!(v instanceof double[] d)) {
                    throw wrongArray(key, et, v);
                }
                yield d.clone();
            }
            case BOOL -> {
                if (!(v instanceof boolean[] b)) {
                    throw wrongArray(key, et, v);
                }
                yield b.clone();
            }
            case STRING -> {
                if (!(v instanceof String[] s)) {
                    throw wrongArray(key, et, v);
                }
                for (String x : s) {
                    Objects.requireNonNull(x, () -> "null string in array '" + key + "'");
                }
                yield s.clone();
            }
            case ARRAY -> {
                if (!(v instanceof Object[] o) || v instanceof String[]) {
                    throw wrongArray(key, et, v);
                }
                TypedArray[] nested = new TypedArray[o.length];
                for (int i = 0; i < o.length; i++) {
                    Objects.requireNonNull(o[i], () -> "null element in array '" + key + "'");
                    nested[i] = array(key, o[i]);
                }
                yield nested;
            }
        };
        return new TypedArray(et, copy);
    }

    private static GGUFValueType inferElementType(String key, Object v) {
        return switch (v) {
            case int[] _ -> GGUFValueType.INT32;
            case long[] _ -> GGUFValueType.INT64;
            case float[] _ -> GGUFValueType.FLOAT32;
            case double[] _ -> GGUFValueType.FLOAT64;
            case boolean[] _ -> GGUFValueType.BOOL;
            case String[] _ -> GGUFValueType.STRING;
            case Object[] _ -> GGUFValueType.ARRAY;
            default -> throw new IllegalArgumentException("'" + key + "': a " + v.getClass().getSimpleName()
                    + " is not a GGUF array value");
        };
    }

    private static long[] longArray(String key, GGUFValueType et, Object v, long min, long max) {
        long[] out;
        if (v instanceof long[] l) {
            out = l.clone();
        } else if (v instanceof int[] i) {
            out = Arrays.stream(i).asLongStream().toArray();
        } else {
            throw wrongArray(key, et, v);
        }
        for (long x : out) {
            if (x < min || x > max) {
                throw new IllegalArgumentException("'" + key + "': element " + x + " is out of range for " + et);
            }
        }
        return out;
    }

    private static long[] intArray(String key, GGUFValueType et, Object v, long min, long max) {
        return longArray(key, et, v, min, max);
    }

    private static IllegalArgumentException wrongArray(String key, GGUFValueType et, Object v) {
        return new IllegalArgumentException("'" + key + "': a " + v.getClass().getSimpleName()
                + " cannot be written as an array of " + et);
    }

    // ---- serialization

    private static void writeString(BufferedFileOutput o, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        o.writeLong(b.length);
        o.writeBytes(b);
    }

    private static void writeValue(BufferedFileOutput o, GGUFValueType type, Object v) throws IOException {
        switch (type) {
            case UINT8, INT8 -> o.writeByte((int) (long) (Long) v);
            case UINT16, INT16 -> o.writeShort((int) (long) (Long) v);
            case UINT32, INT32 -> o.writeInt((int) (long) (Long) v);
            case UINT64, INT64 -> o.writeLong((Long) v);
            case FLOAT32 -> o.writeFloat((Float) v);
            case FLOAT64 -> o.writeDouble((Double) v);
            case BOOL -> o.writeByte((Boolean) v ? 1 : 0);
            case STRING -> writeString(o, (String) v);
            case ARRAY -> writeArray(o, (TypedArray) v);
        }
    }

    private static void writeArray(BufferedFileOutput o, TypedArray a) throws IOException {
        GGUFValueType et = a.elementType();
        o.writeInt(et.id);
        switch (et) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> {
                long[] v = (long[]) a.values();
                o.writeLong(v.length);
                for (long x : v) {
                    switch (et.byteSize()) {
                        case 1 -> o.writeByte((int) x);
                        case 2 -> o.writeShort((int) x);
                        case 4 -> o.writeInt((int) x);
                        default -> o.writeLong(x);
                    }
                }
            }
            case FLOAT32 -> {
                float[] v = (float[]) a.values();
                o.writeLong(v.length);
                for (float x : v) {
                    o.writeFloat(x);
                }
            }
            case FLOAT64 -> {
                double[] v = (double[]) a.values();
                o.writeLong(v.length);
                for (double x : v) {
                    o.writeDouble(x);
                }
            }
            case BOOL -> {
                boolean[] v = (boolean[]) a.values();
                o.writeLong(v.length);
                for (boolean x : v) {
                    o.writeByte(x ? 1 : 0);
                }
            }
            case STRING -> {
                String[] v = (String[]) a.values();
                o.writeLong(v.length);
                for (String x : v) {
                    writeString(o, x);
                }
            }
            case ARRAY -> {
                TypedArray[] v = (TypedArray[]) a.values();
                o.writeLong(v.length);
                for (TypedArray x : v) {
                    writeArray(o, x);
                }
            }
        }
    }

    private static long alignUp(long v, long alignment) {
        return Math.addExact(v, alignment - 1) & -alignment;
    }
}
