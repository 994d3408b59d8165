package org.aloe4j.formats.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.aloe4j.formats.ModelFormatException;
import org.aloe4j.formats.Printable;

/**
 * The weights of a Hugging Face model: a directory holding {@code model.safetensors}, or one sharded as
 * {@code model.safetensors.index.json} + shards (the index's {@code weight_map} names each tensor's shard; every
 * shard is opened once), or a single {@code .safetensors} file, or an {@code *.index.json} file given directly.
 * A name mapped to a missing shard, or to a shard that does not hold it, is an error; tensors present in a shard but
 * absent from the weight map are ignored (as Hugging Face does).
 */
public final class SafeTensorsModel implements AutoCloseable {
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final Path path;
    private final List<SafeTensorsFile> files;
    private final Map<String, SafeTensor> tensors;

    private SafeTensorsModel(Path path, List<SafeTensorsFile> files, Map<String, SafeTensor> tensors) {
        this.path = path;
        this.files = List.copyOf(files);
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    public static SafeTensorsModel open(Path dirOrFile) {
        if (Files.isDirectory(dirOrFile)) {
            Path index = dirOrFile.resolve(INDEX_FILE);
            if (Files.isRegularFile(index)) {
                return openIndex(index);
            }
            Path single = dirOrFile.resolve(SINGLE_FILE);
            if (Files.isRegularFile(single)) {
                return openSingle(single);
            }
            throw new ModelFormatException(dirOrFile, "no " + SINGLE_FILE + " or " + INDEX_FILE + " in this directory");
        }
        if (dirOrFile.getFileName() != null && dirOrFile.getFileName().toString().endsWith(".index.json")) {
            return openIndex(dirOrFile);
        }
        return openSingle(dirOrFile);
    }

    private static SafeTensorsModel openSingle(Path file) {
        SafeTensorsFile f = SafeTensorsFile.open(file);
        Map<String, SafeTensor> map = new LinkedHashMap<>();
        for (SafeTensor t : f.tensors()) {
            map.put(t.name(), t);
        }
        return new SafeTensorsModel(file, List.of(f), map);
    }

    private static SafeTensorsModel openIndex(Path index) {
        Map<String, String> weightMap = readWeightMap(index);
        Path dir = index.toAbsolutePath().getParent();
        Map<String, SafeTensorsFile> shards = new LinkedHashMap<>();
        Map<String, SafeTensor> tensors = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, String> e : weightMap.entrySet()) {
                String name = e.getKey();
                String shardName = e.getValue();
                SafeTensorsFile shard = shards.get(shardName);
                if (shard == null) {
                    Path shardPath = dir.resolve(shardName).normalize();
                    if (!shardPath.startsWith(dir) || shardPath.equals(dir)) {
                        throw new ModelFormatException(index, "shard '" + Printable.of(shardName)
                                + "' of tensor '" + Printable.of(name) + "' is outside the model directory");
                    }
                    if (!Files.isRegularFile(shardPath)) {
                        throw new ModelFormatException(index, "shard '" + Printable.of(shardName)
                                + "' named for tensor '" + Printable.of(name) + "' does not exist");
                    }
                    shard = SafeTensorsFile.open(shardPath);
                    shards.put(shardName, shard);
                }
                SafeTensor t = shard.tensor(name);
                if (t == null) {
                    throw new ModelFormatException(index, "tensor '" + Printable.of(name) + "' is mapped to shard '"
                            + Printable.of(shardName) + "', which does not hold it");
                }
                tensors.put(name, t);
            }
        } catch (RuntimeException | Error e) {
            shards.values().forEach(SafeTensorsFile::close);
            throw e;
        }
        return new SafeTensorsModel(index, new ArrayList<>(shards.values()), tensors);
    }

    private static Map<String, String> readWeightMap(Path index) {
        JsonNode root;
        try {
            long size = Files.size(index);
            if (size > SafeTensorsHeader.MAX_HEADER_BYTES) {
                throw new ModelFormatException(index, "index of " + size + " bytes is implausibly large");
            }
            root = SafeTensorsHeader.JSON.readTree(Files.readAllBytes(index));
        } catch (JsonProcessingException e) {
            throw new ModelFormatException(index, "malformed JSON: "
                    + String.valueOf(e.getOriginalMessage()).replaceAll("\\s+", " "), e);
        } catch (IOException e) {
            throw new ModelFormatException(index, "cannot read: " + e.getMessage(), e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw new ModelFormatException(index, "no 'weight_map' object");
        }
        if (map.isEmpty()) {
            throw new ModelFormatException(index, "'weight_map' is empty");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            if (!e.getValue().isTextual()) {
                throw new ModelFormatException(index, "weight_map value of '" + Printable.of(e.getKey())
                        + "' is not a file name");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }

    /** The single file or the index file this model was opened from. */
    public Path path() {
        return path;
    }

    /** The tensor names (weight-map order for a sharded model, file order for a single file). */
    public Set<String> names() {
        return tensors.keySet();
    }

    /** The tensor named {@code name}, or null. */
    public SafeTensor tensor(String name) {
        return tensors.get(name);
    }

    /** All tensors, in the order of {@link #names()}. */
    public List<SafeTensor> tensors() {
        return List.copyOf(tensors.values());
    }

    /** The opened files (one per shard), in the order they were first named. */
    public List<SafeTensorsFile> files() {
        return files;
    }

    /** The {@code __metadata__} of the first file (shards written together share it). */
    public Map<String, String> metadata() {
        return files.isEmpty() ? Map.of() : files.get(0).metadata();
    }

    /** Closes every shard; idempotent. */
    @Override
    public void close() {
        files.forEach(SafeTensorsFile::close);
    }

    @Override
    public String toString() {
        return "SafeTensorsModel[" + path + ", " + tensors.size() + " tensors in " + files.size() + " file(s)]";
    }
}
