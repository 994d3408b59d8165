package org.aloe4j.formats.safetensors;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
import java.util.TreeMap;
import org.aloe4j.formats.BufferedFileOutput;
import org.aloe4j.formats.TensorSource;

/**
 * Streaming safetensors writer for merging and converting: declare every tensor (name, dtype, shape and the
 * {@link TensorSource} that will supply its bytes), then {@link #write} one file or {@link #writeSharded} a
 * Hugging Face sharded model. The header is written first (JSON: {@code __metadata__} if any, then the tensors in
 * declaration order with contiguous {@code data_offsets}; padded with spaces to a multiple of 8 bytes), then each
 * source is called in declaration order and must write exactly its tensor's bytes. No tensor data is held in memory.
 */
public final class SafeTensorsWriter {

    private record Declared(String name, SafeTensorsDType dtype, long[] shape, long byteSize, TensorSource source) {}

    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final List<Declared> tensors = new ArrayList<>();
    private final Set<String> names = new HashSet<>();

    /** Adds a {@code __metadata__} entry (e.g. {@code "format" -> "pt"}, as transformers writes). */
    public SafeTensorsWriter putMetadata(String key, String value) {
        metadata.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /**
     * Declares a tensor.
     *
     * @param shape row-major, as in PyTorch (a Linear weight is {@code [out, in]}); empty for a scalar, zero
     *     dimensions allowed
     * @param source called during writing; must write exactly {@code product(shape) * dtype.byteSize()} bytes
     */
    public SafeTensorsWriter add(String name, SafeTensorsDType dtype, long[] shape, TensorSource source) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(source, "source");
        if (name.equals(SafeTensorsHeader.METADATA_KEY)) {
            throw new IllegalArgumentException("'" + name + "' is reserved");
        }
        long elements = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has a negative dimension: "
                        + Arrays.toString(shape));
            }
            elements = Math.multiplyExact(elements, d);
        }
        long bytes = Math.multiplyExact(elements, (long) dtype.byteSize());
        if (!names.add(name)) {
            throw new IllegalArgumentException("duplicate tensor name '" + name + "'");
        }
        tensors.add(new Declared(name, dtype, shape.clone(), bytes, source));
        return this;
    }

    /** Total bytes of tensor data declared so far. */
    public long dataSize() {
        long total = 0;
        for (Declared t : tensors) {
            total += t.byteSize();
        }
        return total;
    }

    /** Writes every declared tensor to one file (via a {@code .partial} sibling that replaces {@code out}). */
    public void write(Path out) throws IOException {
        writeFile(out, tensors);
    }

    /**
     * Writes a sharded model into {@code dir} as Hugging Face does: tensors in declaration order are cut into
     * consecutive shards of at most {@code maxShardBytes} of data each (a tensor larger than that gets a shard of its
     * own), written as {@code model-00001-of-0000N.safetensors} with {@code model.safetensors.index.json}
     * ({@code metadata.total_size} = bytes of tensor data, {@code weight_map} name -> shard file, keys sorted). When
     * everything fits in one shard, a single {@code model.safetensors} is written and no index, also as Hugging Face
     * does. Every shard carries the {@code __metadata__}.
     *
     * @return the files written
     */
    public List<Path> writeSharded(Path dir, long maxShardBytes) throws IOException {
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("maxShardBytes must be positive: " + maxShardBytes);
        }
        Files.createDirectories(dir);
        List<List<Declared>> shards = new ArrayList<>();
        List<Declared> current = new ArrayList<>();
        long currentBytes = 0;
        for (Declared t : tensors) {
            if (!current.isEmpty() && currentBytes + t.byteSize() > maxShardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.add(t);
            currentBytes += t.byteSize();
        }
        shards.add(current);
        if (shards.size() == 1) {
            Path single = dir.resolve(SafeTensorsModel.SINGLE_FILE);
            writeFile(single, shards.get(0));
            return List.of(single);
        }
        List<Path> written = new ArrayList<>();
        Map<String, String> weightMap = new TreeMap<>();
        for (int i = 0; i < shards.size(); i++) {
            String fileName = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
            Path file = dir.resolve(fileName);
            writeFile(file, shards.get(i));
            written.add(file);
            for (Declared t : shards.get(i)) {
                weightMap.put(t.name(), fileName);
            }
        }
        Path index = dir.resolve(SafeTensorsModel.INDEX_FILE);
        writeIndex(index, dataSize(), weightMap);
        written.add(index);
        return written;
    }

    private void writeFile(Path out, List<Declared> list) throws IOException {
        byte[] header = header(list);
        Path partial = out.resolveSibling(out.getFileName() + ".partial");
        boolean done = false;
        try {
            try (BufferedFileOutput o = BufferedFileOutput.create(partial)) {
                o.writeLong(header.length);
                o.writeBytes(header);
                for (Declared t : list) {
                    BufferedFileOutput.CountingChannel ch = o.itemChannel("tensor '" + t.name() + "'", t.byteSize());
                    t.source().writeTo(ch);
                    ch.finish();
                }
            }
            Files.move(partial, out, StandardCopyOption.REPLACE_EXISTING);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(partial);
            }
        }
    }

    /** The JSON header padded with spaces to a multiple of 8 bytes. */
    private byte[] header(List<Declared> list) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JsonGenerator g = SafeTensorsHeader.JSON.createGenerator(bytes)) {
            g.writeStartObject();
            if (!metadata.isEmpty()) {
                g.writeObjectFieldStart(SafeTensorsHeader.METADATA_KEY);
                for (Map.Entry<String, String> e : metadata.entrySet()) {
                    g.writeStringField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
            long offset = 0;
            for (Declared t : list) {
                g.writeObjectFieldStart(t.name());
                g.writeStringField("dtype", t.dtype().name());
                g.writeArrayFieldStart("shape");
                for (long d : t.shape()) {
                    g.writeNumber(d);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("data_offsets");
                g.writeNumber(offset);
                g.writeNumber(offset + t.byteSize());
                g.writeEndArray();
                g.writeEndObject();
                offset += t.byteSize();
            }
            g.writeEndObject();
        }
        while (bytes.size() % 8 != 0) {
            bytes.write(' ');
        }
        return bytes.toByteArray();
    }

    private static void writeIndex(Path index, long totalSize, Map<String, String> weightMap) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DefaultPrettyPrinter pretty = new DefaultPrettyPrinter()
                .withObjectIndenter(new DefaultIndenter("  ", "\n"));
        try (JsonGenerator g = SafeTensorsHeader.JSON.createGenerator(bytes)) {
            g.setPrettyPrinter(pretty);
            g.writeStartObject();
            g.writeObjectFieldStart("metadata");
            g.writeNumberField("total_size", totalSize);
            g.writeEndObject();
            g.writeObjectFieldStart("weight_map");
            for (Map.Entry<String, String> e : weightMap.entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeEndObject();
        }
        bytes.write('\n');
        Path partial = index.resolveSibling(index.getFileName() + ".partial");
        Files.write(partial, bytes.toByteArray());
        Files.move(partial, index, StandardCopyOption.REPLACE_EXISTING);
    }
}
