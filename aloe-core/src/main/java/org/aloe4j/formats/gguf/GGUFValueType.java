package org.aloe4j.formats.gguf;

/**
 * The type ids of GGUF metadata values (gguf.h {@code gguf_type}). See {@link GGUFFile} for the Java type each one
 * is read as.
 */
public enum GGUFValueType {
    UINT8(0, 1),
    INT8(1, 1),
    UINT16(2, 2),
    INT16(3, 2),
    UINT32(4, 4),
    INT32(5, 4),
    FLOAT32(6, 4),
    BOOL(7, 1),
    STRING(8, -1),
    ARRAY(9, -1),
    UINT64(10, 8),
    INT64(11, 8),
    FLOAT64(12, 8);

    private static final GGUFValueType[] BY_ID = values();

    /** The id stored in the file. */
    public final int id;
    private final int byteSize;

    GGUFValueType(int id, int byteSize) {
        this.id = id;
        this.byteSize = byteSize;
    }

    /** The type with this id, or null when the id is not a GGUF value type. */
    public static GGUFValueType byId(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }

    /** Bytes of one value in the file; -1 for STRING and ARRAY, whose size depends on their content. */
    public int byteSize() {
        return byteSize;
    }

    /** The fewest bytes one value of this type can take in a file (a string: its length; an array: its header). */
    int minFileBytes() {
        return switch (this) {
            case STRING -> 8;
            case ARRAY -> 12;
            default -> byteSize;
        };
    }
}
