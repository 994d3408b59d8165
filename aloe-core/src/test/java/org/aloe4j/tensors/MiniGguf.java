package org.aloe4j.tensors;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import org.aloe4j.formats.gguf.GGMLType;

/**
 * Just enough of GGUF (v2/v3) for the tensor tests to find a tensor's bytes in a fixture file, while the real reader
 * ({@code org.aloe4j.formats.gguf}) is written elsewhere. Test code only.
 */
final class MiniGguf implements AutoCloseable {
    record TensorInfo(String name, GGMLType type, long[] dims, MemorySegment data) {
        long rows() {
            long rows = 1;
            for (int i = 1; i < dims.length; i++) {
                rows *= dims[i];
            }
            return rows;
        }

        int cols() {
            return Math.toIntExact(dims[0]);
        }
    }

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Arena arena = Arena.ofShared();
    private final MemorySegment file;
    private long pos;
    final Map<String, TensorInfo> tensors = new LinkedHashMap<>();

    MiniGguf(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            file = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
        }
        if (u32() != 0x46554747) { // "GGUF"
            throw new IOException(path + ": not a GGUF file");
        }
        int version = u32();
        if (version < 2) {
            throw new IOException(path + ": GGUF version " + version);
        }
        long tensorCount = u64();
        long kvCount = u64();
        long alignment = 32;
        for (long i = 0; i < kvCount; i++) {
            String key = string();
            int valueType = u32();
            if (key.equals("general.alignment")) {
                alignment = u32();
            } else {
                skipValue(valueType);
            }
        }
        String[] names = new String[(int) tensorCount];
        long[][] dims = new long[(int) tensorCount][];
        int[] types = new int[(int) tensorCount];
        long[] offsets = new long[(int) tensorCount];
        for (int i = 0; i < tensorCount; i++) {
            names[i] = string();
            dims[i] = new long[u32()];
            for (int d = 0; d < dims[i].length; d++) {
                dims[i][d] = u64();
            }
            types[i] = u32();
            offsets[i] = u64();
        }
        long dataStart = (pos + alignment - 1) / alignment * alignment;
        for (int i = 0; i < tensorCount; i++) {
            GGMLType type = GGMLType.byId(types[i]);
            long elements = 1;
            for (long d : dims[i]) {
                elements *= d;
            }
            long bytes = type.bytesFor(elements);
            tensors.put(names[i], new TensorInfo(names[i], type, dims[i],
                    file.asSlice(dataStart + offsets[i], bytes)));
        }
    }

    TensorInfo tensor(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) {
            throw new IllegalArgumentException("no tensor " + name);
        }
        return info;
    }

    Tensor wrap(String name) {
        TensorInfo info = tensor(name);
        return Tensors.wrap(name, info.type(), info.data(), info.rows(), info.cols());
    }

    private int u32() {
        int v = file.get(U32, pos);
        pos += 4;
        return v;
    }

    private long u64() {
        long v = file.get(U64, pos);
        pos += 8;
        return v;
    }

    private String string() {
        int length = Math.toIntExact(u64());
        byte[] bytes = file.asSlice(pos, length).toArray(ValueLayout.JAVA_BYTE);
        pos += length;
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private void skipValue(int type) {
        switch (type) {
            case 0, 1, 7 -> pos += 1;
            case 2, 3 -> pos += 2;
            case 4, 5, 6 -> pos += 4;
            case 10, 11, 12 -> pos += 8;
            case 8 -> string();
            case 9 -> {
                int itemType = u32();
                long count = u64();
                for (long i = 0; i < count; i++) {
                    skipValue(itemType);
                }
            }
            default -> throw new IllegalStateException("GGUF value type " + type);
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
