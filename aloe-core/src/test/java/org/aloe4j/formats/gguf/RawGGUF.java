package org.aloe4j.formats.gguf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes GGUF bytes field by field, with no checks, so that tests can build both valid files (independently of
 * {@link GGUFWriter}) and every kind of broken one.
 */
final class RawGGUF {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Magic, version 3, and the two counts. */
    static RawGGUF header(long tensorCount, long kvCount) {
        return new RawGGUF().bytes("GGUF".getBytes(StandardCharsets.US_ASCII)).u32(3).u64(tensorCount).u64(kvCount);
    }

    RawGGUF u8(int v) {
        out.write(v);
        return this;
    }

    RawGGUF u32(long v) {
        return put(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v));
    }

    RawGGUF u64(long v) {
        return put(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v));
    }

    RawGGUF f32(float v) {
        return put(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v));
    }

    RawGGUF str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return u64(b.length).bytes(b);
    }

    RawGGUF bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    /** A metadata entry: key, type id, then the caller writes the value. */
    RawGGUF key(String key, GGUFValueType type) {
        return str(key).u32(type.id);
    }

    RawGGUF kvU32(String key, long v) {
        return key(key, GGUFValueType.UINT32).u32(v);
    }

    RawGGUF kvString(String key, String v) {
        return key(key, GGUFValueType.STRING).str(v);
    }

    /** A tensor info with a type given by id (so that unknown ids can be written). */
    RawGGUF tensor(String name, long[] dims, int typeId, long offset) {
        str(name).u32(dims.length);
        for (long d : dims) {
            u64(d);
        }
        return u32(typeId).u64(offset);
    }

    /** Zero bytes up to a multiple of {@code alignment}. */
    RawGGUF pad(int alignment) {
        while (out.size() % alignment != 0) {
            out.write(0);
        }
        return this;
    }

    RawGGUF zeros(int n) {
        out.writeBytes(new byte[n]);
        return this;
    }

    int size() {
        return out.size();
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    Path writeTo(Path file) throws IOException {
        Files.write(file, out.toByteArray());
        return file;
    }

    private RawGGUF put(ByteBuffer b) {
        out.writeBytes(b.array());
        return this;
    }
}
