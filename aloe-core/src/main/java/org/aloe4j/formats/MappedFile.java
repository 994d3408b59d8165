package org.aloe4j.formats;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Opening a model file by memory-mapping it whole, read-only and zero-copy (files far over 2 GiB included). */
public final class MappedFile {
    private MappedFile() {}

    /** Builds the reader of a mapped file; it owns {@code arena} (closing it unmaps the file). */
    @FunctionalInterface
    public interface Reader<T> {
        T read(Arena arena, MemorySegment data);
    }

    /**
     * Maps {@code file} into a new shared arena and hands it to {@code reader}. If mapping or reading fails the arena
     * is closed; I/O errors become a {@link ModelFormatException} naming the file.
     */
    public static <T> T open(Path file, Reader<T> reader) {
        if (!Files.isRegularFile(file)) {
            throw new ModelFormatException(file, Files.exists(file) ? "not a regular file" : "file not found");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            return reader.read(arena, seg);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new ModelFormatException(file, "file not found", e);
        } catch (IOException e) {
            arena.close();
            throw new ModelFormatException(file, "cannot read: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }
}
