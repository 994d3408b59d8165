package org.aloe4j.formats.safetensors;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.aloe4j.formats.MappedFile;
import org.aloe4j.formats.ModelFormatException;

/**
 * One {@code .safetensors} file, memory-mapped read-only as a whole (zero copy, any size). Opening validates the
 * header completely (see {@link SafeTensorsHeader}); a bad file fails with a one-line {@link ModelFormatException}
 * naming it and the problem. Thread-safe for reading; {@link #close()} unmaps the file, after which the tensors'
 * segments must not be used.
 */
public final class SafeTensorsFile implements AutoCloseable {
    private final Path path;
    private final Arena arena;
    private final MemorySegment segment;
    private final long dataStart;
    private final Map<String, String> metadata;
    private final List<SafeTensor> tensors;
    private final Map<String, SafeTensor> byName;

    private SafeTensorsFile(Path path, Arena arena, MemorySegment segment, SafeTensorsHeader header) {
        this.path = path;
        this.arena = arena;
        this.segment = segment;
        this.dataStart = header.dataStart;
        this.metadata = header.metadata;
        List<SafeTensor> list = new ArrayList<>(header.entries.size());
        Map<String, SafeTensor> map = new HashMap<>();
        for (SafeTensorsHeader.Entry e : header.entries) {
            MemorySegment data = segment.asSlice(dataStart + e.begin(), e.end() - e.begin());
            SafeTensor t = new SafeTensor(e.name(), e.dtype(), e.shape(), data);
            list.add(t);
            map.put(t.name(), t);
        }
        this.tensors = List.copyOf(list);
        this.byName = map;
    }

    /** Maps and validates {@code file}. */
    public static SafeTensorsFile open(Path file) {
        return MappedFile.open(file, (arena, seg) -> new SafeTensorsFile(file, arena, seg, new SafeTensorsHeader(file, seg)));
    }

    public Path path() {
        return path;
    }

    /** The {@code __metadata__} string map (empty when absent), unmodifiable. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The tensors in header order. */
    public List<SafeTensor> tensors() {
        return tensors;
    }

    /** The tensor named {@code name}, or null. */
    public SafeTensor tensor(String name) {
        return byName.get(name);
    }

    /** The whole file. */
    public MemorySegment segment() {
        return segment;
    }

    /** File offset of the data region (8 + header length). */
    public long dataStart() {
        return dataStart;
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
        return "SafeTensorsFile[" + path + ", " + tensors.size() + " tensors]";
    }
}
