package org.aloe4j.merge;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aloe4j.formats.TensorSource;
import org.aloe4j.formats.safetensors.SafeTensor;
import org.aloe4j.formats.safetensors.SafeTensorsDType;
import org.aloe4j.formats.safetensors.SafeTensorsModel;
import org.aloe4j.formats.safetensors.SafeTensorsWriter;

/**
 * Writes and reads small Hugging Face model directories for the tests. Decoding and encoding here are the tests'
 * own (not {@link ElementCodec}), so that the merge's conversions are checked against an independent version.
 */
final class TestModels {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private TestModels() {}

    /** A tensor's shape and values (row-major). */
    record Tensor(long[] shape, float[] values) {}

    /** A tensor's values as float32. */
    static float[] floats(SafeTensor t) {
        int n = Math.toIntExact(t.elements());
        float[] out = new float[n];
        MemorySegment d = t.data();
        for (int i = 0; i < n; i++) {
            out[i] = switch (t.dtype()) {
                case BF16 -> Float.intBitsToFloat((d.get(I16, 2L * i) & 0xffff) << 16);
                case F16 -> Float.float16ToFloat(d.get(I16, 2L * i));
                case F32 -> d.get(F32, 4L * i);
                default -> throw new IllegalArgumentException(t.toString());
            };
        }
        return out;
    }

    /** Round to nearest even, from the fixture README: {@code bf16 = (u + 0x7FFF + ((u >> 16) & 1)) >> 16}. */
    static float roundToBf16(float v) {
        int u = Float.floatToRawIntBits(v);
        return Float.intBitsToFloat(((u + 0x7FFF + ((u >>> 16) & 1)) >>> 16) << 16);
    }

    /** The distance between two neighbouring BF16 values around {@code v}. */
    static float bf16Ulp(float v) {
        return Math.ulp(v) * 65536f;
    }

    static byte[] encode(float[] values, SafeTensorsDType dtype) {
        byte[] bytes = new byte[values.length * dtype.byteSize()];
        MemorySegment out = MemorySegment.ofArray(bytes);
        for (int i = 0; i < values.length; i++) {
            switch (dtype) {
                case BF16 -> out.set(I16, 2L * i, (short) (Float.floatToRawIntBits(roundToBf16(values[i])) >>> 16));
                case F16 -> out.set(I16, 2L * i, Float.floatToFloat16(values[i]));
                case F32 -> out.set(F32, 4L * i, values[i]);
                default -> throw new IllegalArgumentException(dtype.toString());
            }
        }
        return bytes;
    }

    /** Writes {@code tensors} into {@code dir} as safetensors (sharded when larger than {@code maxShardBytes}). */
    static void writeWeights(Path dir, Map<String, Tensor> tensors, SafeTensorsDType dtype, long maxShardBytes)
            throws IOException {
        Map<String, SafeTensorsDType> types = new LinkedHashMap<>();
        tensors.keySet().forEach(k -> types.put(k, dtype));
        writeWeights(dir, tensors, types, maxShardBytes);
    }

    static void writeWeights(Path dir, Map<String, Tensor> tensors, Map<String, SafeTensorsDType> types,
            long maxShardBytes) throws IOException {
        Files.createDirectories(dir);
        SafeTensorsWriter w = new SafeTensorsWriter().putMetadata("format", "pt");
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            SafeTensorsDType dt = types.get(e.getKey());
            w.add(e.getKey(), dt, e.getValue().shape(), TensorSource.of(encode(e.getValue().values(), dt)));
        }
        w.writeSharded(dir, maxShardBytes);
    }

    /** All tensors of a model directory as float32. */
    static Map<String, Tensor> readAll(Path dir) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (SafeTensorsModel m = SafeTensorsModel.open(dir)) {
            for (SafeTensor t : m.tensors()) {
                out.put(t.name(), new Tensor(t.shape(), floats(t)));
            }
        }
        return out;
    }

    /** Copies config.json, generation config and tokenizer files from one model directory to another. */
    static void copyNonWeightFiles(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        for (String name : List.of("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json")) {
            if (Files.exists(from.resolve(name))) {
                Files.copy(from.resolve(name), to.resolve(name));
            }
        }
    }

    /** A minimal config and tokenizer, enough for a merge to copy. */
    static void writeMinimalNonWeightFiles(Path dir, int layers, int vocab) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"qwen2\", \"num_hidden_layers\": " + layers
                + ", \"vocab_size\": " + vocab + ", \"torch_dtype\": \"bfloat16\"}\n");
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0}}, "
                + "\"added_tokens\": []}\n");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"a\"}\n");
    }

    /** Lists a directory's entry names, sorted. */
    static List<String> list(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
