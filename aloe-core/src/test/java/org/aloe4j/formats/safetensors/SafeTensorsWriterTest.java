package org.aloe4j.formats.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.aloe4j.Fixtures;
import org.aloe4j.formats.TensorSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsWriterTest {
    @TempDir
    Path tmp;

    /** Declared tensors of every dtype with random bytes, including a scalar and an empty tensor. */
    private final Map<String, Object[]> declared = new LinkedHashMap<>();

    private SafeTensorsWriter randomModel(long seed) {
        Random random = new Random(seed);
        SafeTensorsWriter w = new SafeTensorsWriter().putMetadata("format", "pt").putMetadata("note", "ü \"q\"");
        int i = 0;
        for (SafeTensorsDType dtype : SafeTensorsDType.values()) {
            long[] shape = {1 + random.nextInt(40), 1 + random.nextInt(40)};
            add(w, "layer." + (i++) + ".weight", dtype, shape, random);
        }
        add(w, "scalar", SafeTensorsDType.F32, new long[0], random);
        add(w, "empty", SafeTensorsDType.BF16, new long[] {0, 16}, random);
        add(w, "big", SafeTensorsDType.F16, new long[] {1000, 700}, random);
        return w;
    }

    private void add(SafeTensorsWriter w, String name, SafeTensorsDType dtype, long[] shape, Random random) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        byte[] bytes = new byte[(int) n * dtype.byteSize()];
        random.nextBytes(bytes);
        declared.put(name, new Object[] {dtype, shape, bytes});
        w.add(name, dtype, shape, TensorSource.of(bytes));
    }

    private void assertHoldsDeclared(SafeTensorsModel model) {
        assertEquals(declared.keySet(), model.names().stream().collect(java.util.stream.Collectors.toSet()));
        for (Map.Entry<String, Object[]> e : declared.entrySet()) {
            SafeTensor t = model.tensor(e.getKey());
            assertEquals(e.getValue()[0], t.dtype(), e.getKey());
            assertArrayEquals((long[]) e.getValue()[1], t.shape(), e.getKey());
            assertArrayEquals((byte[]) e.getValue()[2], t.data().toArray(ValueLayout.JAVA_BYTE), e.getKey());
        }
    }

    @Test
    void singleFileRoundTripsBytesShapesAndMetadata() throws IOException {
        Path file = tmp.resolve("one.safetensors");
        randomModel(1).write(file);
        try (SafeTensorsModel model = SafeTensorsModel.open(file)) {
            assertHoldsDeclared(model);
            assertEquals(List.copyOf(declared.keySet()), List.copyOf(model.names())); // declaration order
            assertEquals(Map.of("format", "pt", "note", "ü \"q\""), model.metadata());
            assertEquals(1, model.tensor("scalar").elements());
            assertEquals(0, model.tensor("empty").data().byteSize());
        }
        // The header as other readers expect it: 8-byte length, JSON padded with spaces to a multiple of 8.
        byte[] bytes = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8);
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":{\"format\":\"pt\""), header);
        JsonNode json = new ObjectMapper().readTree(header);
        List<String> keys = new ArrayList<>();
        json.fieldNames().forEachRemaining(keys::add);
        List<String> expectedKeys = new ArrayList<>(List.of("__metadata__"));
        expectedKeys.addAll(declared.keySet());
        assertEquals(expectedKeys, keys);
        int firstSize = ((byte[]) declared.get("layer.0.weight")[2]).length;
        assertEquals("[0," + firstSize + "]", json.get("layer.0.weight").get("data_offsets").toString());
        long total = 0;
        for (Object[] v : declared.values()) {
            total += ((byte[]) v[2]).length;
        }
        assertEquals(8 + n + total, bytes.length);
    }

    @Test
    void shardedModelRoundTripsWithIndex() throws IOException {
        SafeTensorsWriter w = randomModel(2);
        long total = w.dataSize();
        List<Path> written = w.writeSharded(tmp, 600_000); // "big" alone is 1.4 MB: it gets its own shard
        Path index = tmp.resolve("model.safetensors.index.json");
        assertEquals(index, written.get(written.size() - 1));
        int shards = written.size() - 1;
        assertTrue(shards >= 2, "shards: " + shards);
        for (int i = 0; i < shards; i++) {
            assertEquals(String.format("model-%05d-of-%05d.safetensors", i + 1, shards),
                    written.get(i).getFileName().toString());
            try (SafeTensorsFile f = SafeTensorsFile.open(written.get(i))) {
                long data = 0;
                for (SafeTensor t : f.tensors()) {
                    data += t.data().byteSize();
                }
                assertTrue(data <= 600_000 || f.tensors().size() == 1, "shard " + i + " holds " + data);
                assertEquals(Map.of("format", "pt", "note", "ü \"q\""), f.metadata());
            }
        }
        JsonNode json = new ObjectMapper().readTree(index.toFile());
        assertEquals(total, json.get("metadata").get("total_size").asLong());
        Map<String, String> weightMap = new LinkedHashMap<>();
        json.get("weight_map").properties().forEach(e -> weightMap.put(e.getKey(), e.getValue().asText()));
        assertEquals(new TreeMap<>(weightMap).keySet().stream().toList(), List.copyOf(weightMap.keySet()));
        try (SafeTensorsModel model = SafeTensorsModel.open(tmp)) {
            assertEquals(shards, model.files().size());
            assertHoldsDeclared(model);
            for (SafeTensor t : model.tensors()) {
                assertEquals(tmp.resolve(weightMap.get(t.name())), shardOf(model, t));
            }
        }
        try (SafeTensorsModel viaIndexFile = SafeTensorsModel.open(index)) {
            assertHoldsDeclared(viaIndexFile);
        }
    }

    private static Path shardOf(SafeTensorsModel model, SafeTensor t) {
        for (SafeTensorsFile f : model.files()) {
            if (f.tensor(t.name()) == t) {
                return f.path();
            }
        }
        return null;
    }

    @Test
    void aModelThatFitsInOneShardIsWrittenAsModelSafetensors() throws IOException {
        List<Path> written = randomModel(3).writeSharded(tmp, Long.MAX_VALUE);
        assertEquals(List.of(tmp.resolve("model.safetensors")), written);
        assertFalse(Files.exists(tmp.resolve("model.safetensors.index.json")));
        try (SafeTensorsModel model = SafeTensorsModel.open(tmp)) {
            assertHoldsDeclared(model);
        }
    }

    /** Rewriting a fixture tensor by tensor from its mapped data (the merge/convert path) keeps every byte. */
    @Test
    void rewritingAFixtureKeepsEveryTensor() throws IOException {
        Path source = Fixtures.file("hf/tiny-qwen2");
        try (SafeTensorsModel in = SafeTensorsModel.open(source)) {
            SafeTensorsWriter w = new SafeTensorsWriter();
            in.metadata().forEach(w::putMetadata);
            for (SafeTensor t : in.tensors()) {
                w.add(t.name(), t.dtype(), t.shape(), TensorSource.of(t.data()));
            }
            w.writeSharded(tmp, 1_000_000);
            try (SafeTensorsModel out = SafeTensorsModel.open(tmp)) {
                assertTrue(out.files().size() > 1);
                assertEquals(in.names(), out.names());
                for (SafeTensor t : in.tensors()) {
                    SafeTensor u = out.tensor(t.name());
                    assertArrayEquals(t.shape(), u.shape());
                    assertEquals(-1L, t.data().mismatch(u.data()), t.name());
                }
            }
        }
        // The fixture's own data region is reproduced exactly (same name order, contiguous offsets).
        Path single = tmp.resolve("single.safetensors");
        try (SafeTensorsModel in = SafeTensorsModel.open(source)) {
            SafeTensorsWriter w = new SafeTensorsWriter();
            for (SafeTensor t : in.tensors()) {
                w.add(t.name(), t.dtype(), t.shape(), TensorSource.of(t.data()));
            }
            w.write(single);
            try (SafeTensorsFile out = SafeTensorsFile.open(single)) {
                SafeTensorsFile f = in.files().get(0);
                MemorySegment a = f.segment().asSlice(f.dataStart());
                MemorySegment b = out.segment().asSlice(out.dataStart());
                assertEquals(-1L, a.mismatch(b));
            }
        }
    }

    @Test
    void wrongSourceByteCountsAndBadDeclarationsFail() {
        SafeTensorsWriter w = new SafeTensorsWriter()
                .add("t", SafeTensorsDType.I32, new long[] {2}, TensorSource.of(new byte[7]));
        IOException e = assertThrows(IOException.class, () -> w.write(tmp.resolve("x.safetensors")));
        assertTrue(e.getMessage().contains("tensor 't'") && e.getMessage().contains("7 of the 8"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("x.safetensors")));
        assertFalse(Files.exists(tmp.resolve("x.safetensors.partial")));
        TensorSource none = out -> {};
        assertThrows(IllegalArgumentException.class, () -> w.add("t", SafeTensorsDType.U8, new long[] {1}, none));
        assertThrows(IllegalArgumentException.class,
                () -> w.add("__metadata__", SafeTensorsDType.U8, new long[] {1}, none));
        assertThrows(IllegalArgumentException.class, () -> w.add("n", SafeTensorsDType.U8, new long[] {-1}, none));
        assertThrows(IllegalArgumentException.class, () -> w.writeSharded(tmp, 0));
    }
}
