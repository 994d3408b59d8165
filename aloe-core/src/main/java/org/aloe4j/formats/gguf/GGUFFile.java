package org.aloe4j.formats.gguf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.aloe4j.formats.MappedFile;
import org.aloe4j.formats.ModelFormatException;
import org.aloe4j.formats.Printable;

/**
 * A GGUF file (versions 2 and 3, little-endian), memory-mapped read-only as a whole: the tensor data is never copied
 * and files far past 2 GiB work. Opening validates the header, metadata and tensor table completely (see
 * {@link GGUFParser}); a bad file fails with a one-line {@link ModelFormatException} naming it and the problem.
 *
 * <p>Java types of metadata values: UINT8, INT8, UINT16, INT16, INT32 are {@link Integer}; UINT32, INT64, UINT64
 * are {@link Long} (a UINT64 above 2^63-1 wraps to a negative long: read it with {@link Long#toUnsignedString});
 * FLOAT32 is {@link Float}; FLOAT64 {@link Double}; BOOL {@link Boolean}; STRING {@link String} (UTF-8; invalid
 * byte sequences are tolerated and decoded as U+FFFD). Arrays: of STRING {@code String[]}; of UINT8, INT8, UINT16,
 * INT16, INT32 {@code int[]}; of UINT32, INT64, UINT64 {@code long[]}; of FLOAT32 {@code float[]}; of FLOAT64
 * {@code double[]}; of BOOL {@code boolean[]}; of ARRAY {@code Object[]} whose elements follow the same rules.
 * The arrays in {@link #metadata()} are shared: do not modify them (the typed {@code get...Array} accessors return
 * copies).
 *
 * <p>Limits beyond the format's own (each far above real files): metadata strings up to 64 MiB, at most 2^26
 * metadata array elements in all, arrays nested at most 64 deep, tensor rows at most 2^31-1 values.
 *
 * <p>Thread-safe for reading; {@link #close()} unmaps the file, after which the segments must not be used.
 */
public final class GGUFFile implements AutoCloseable {
    private final Path path;
    private final Arena arena;
    private final MemorySegment segment;
    private final int version;
    private final long alignment;
    private final long dataOffset;
    private final Map<String, Object> metadata;
    private final Map<String, GGUFValueType> types;
    private final Map<String, GGUFValueType> elementTypes;
    private final List<GGUFTensorInfo> tensors;
    private final Map<String, GGUFTensorInfo> tensorsByName;

    private GGUFFile(Path path, Arena arena, MemorySegment segment, GGUFParser p) {
        this.path = path;
        this.arena = arena;
        this.segment = segment;
        this.version = p.version;
        this.alignment = p.alignment;
        this.dataOffset = p.dataOffset;
        this.metadata = Collections.unmodifiableMap(p.metadata);
        this.types = p.types;
        this.elementTypes = p.elementTypes;
        this.tensors = List.copyOf(p.tensors);
        Map<String, GGUFTensorInfo> byName = new HashMap<>();
        for (GGUFTensorInfo t : tensors) {
            byName.put(t.name(), t);
        }
        this.tensorsByName = byName;
    }

    /** Maps and validates {@code file}. */
    public static GGUFFile open(Path file) {
        return MappedFile.open(file, (arena, seg) -> {
            GGUFParser parser = new GGUFParser(file, seg);
            parser.parse();
            return new GGUFFile(file, arena, seg, parser);
        });
    }

    public Path path() {
        return path;
    }

    /** The GGUF version, 2 or 3. */
    public int version() {
        return version;
    }

    /** Alignment of the data section and of every tensor in it ({@code general.alignment}, default 32). */
    public long alignment() {
        return alignment;
    }

    /** File offset of the data section; tensor offsets are relative to it. */
    public long dataOffset() {
        return dataOffset;
    }

    /** The whole file. */
    public MemorySegment segment() {
        return segment;
    }

    /** All metadata in file order, unmodifiable (types: see the class comment). */
    public Map<String, Object> metadata() {
        return metadata;
    }

    /** The stored type of {@code key}, or null when absent. */
    public GGUFValueType metadataType(String key) {
        return types.get(key);
    }

    /** The element type of the array {@code key}; null when absent or not an array. */
    public GGUFValueType arrayElementType(String key) {
        return elementTypes.get(key);
    }

    /** The tensor table in file order. */
    public List<GGUFTensorInfo> tensors() {
        return tensors;
    }

    /** The tensor named {@code name}, or null. */
    public GGUFTensorInfo tensor(String name) {
        return tensorsByName.get(name);
    }

    /** The bytes of {@code t} (a tensor of this file): a zero-copy slice of the mapping. */
    public MemorySegment tensorData(GGUFTensorInfo t) {
        return segment.asSlice(dataOffset + t.offset(), t.byteSize());
    }

    // ---- typed accessors

    /** The string {@code key}, or null when absent. */
    public String getString(String key) {
        Object v = metadata.get(key);
        if (v == null || v instanceof String) {
            return (String) v;
        }
        throw wrongType(key, "a string");
    }

    public String getString(String key, String dflt) {
        String v = getString(key);
        return v != null ? v : dflt;
    }

    /** An integer of any GGUF integer type whose value fits in an int. */
    public int getInt(String key, int dflt) {
        Object v = metadata.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Integer i) {
            return i;
        }
        if (v instanceof Long l) {
            if (l != (int) (long) l) {
                throw new ModelFormatException(path, "metadata '" + Printable.of(key) + "' = " + l + " does not fit in an int");
            }
            return (int) (long) l;
        }
        throw wrongType(key, "an integer");
    }

    /** An integer of any GGUF integer type (UINT64 above 2^63-1 wraps). */
    public long getLong(String key, long dflt) {
        Object v = metadata.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Integer || v instanceof Long) {
            return ((Number) v).longValue();
        }
        throw wrongType(key, "an integer");
    }

    /** A number of any GGUF numeric type, converted to float. */
    public float getFloat(String key, float dflt) {
        Object v = metadata.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Number n) {
            return n.floatValue();
        }
        throw wrongType(key, "a number");
    }

    public boolean getBoolean(String key, boolean dflt) {
        Object v = metadata.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw wrongType(key, "a bool");
    }

    /** A copy of the string array {@code key}, or null when absent. */
    public String[] getStringArray(String key) {
        Object v = metadata.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof String[] a) {
            return a.clone();
        }
        throw wrongType(key, "an array of strings");
    }

    /** A copy of the integer array {@code key} (any integer element type whose values fit in an int), or null. */
    public int[] getIntArray(String key) {
        Object v = metadata.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof int[] a) {
            return a.clone();
        }
        if (v instanceof long[] a) {
            int[] out = new int[a.length];
            for (int i = 0; i < a.length; i++) {
                if (a[i] != (int) a[i]) {
                    throw new ModelFormatException(path, "metadata '" + Printable.of(key) + "' element " + i + " = " + a[i]
                            + " does not fit in an int");
                }
                out[i] = (int) a[i];
            }
            return out;
        }
        throw wrongType(key, "an array of integers");
    }

    /** A copy of the numeric array {@code key} converted to float, or null when absent. */
    public float[] getFloatArray(String key) {
        Object v = metadata.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof float[] a) {
            return a.clone();
        }
        float[] out;
        switch (v) {
            case double[] a -> {
                out = new float[a.length];
                for (int i = 0; i < a.length; i++) {
                    out[i] = (float) a[i];
                }
            }
            case int[] a -> {
                out = new float[a.length];
                for (int i = 0; i < a.length; i++) {
                    out[i] = a[i];
                }
            }
            case long[] a -> {
                out = new float[a.length];
                for (int i = 0; i < a.length; i++) {
                    out[i] = a[i];
                }
            }
            default -> throw wrongType(key, "an array of numbers");
        }
        return out;
    }

    private ModelFormatException wrongType(String key, String expected) {
        GGUFValueType t = types.get(key);
        String actual = t == GGUFValueType.ARRAY ? "an array of " + elementTypes.get(key) : t.toString();
        return new ModelFormatException(path, "metadata '" + Printable.of(key) + "' is " + actual + ", expected " + expected);
    }

    /** Unmaps the file; idempotent. */
    @Override
    public synchronized void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }

    @Override
    public String toString() {
        return "GGUFFile[" + path + ", v" + version + ", " + metadata.size() + " metadata, " + tensors.size()
                + " tensors]";
    }
}
