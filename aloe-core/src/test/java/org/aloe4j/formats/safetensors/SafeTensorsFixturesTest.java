package org.aloe4j.formats.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.aloe4j.Fixtures;
import org.aloe4j.formats.gguf.GGUFFile;
import org.aloe4j.formats.gguf.GGUFTensorInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The two Hugging Face fixture directories open with the tensor names, BF16 dtypes and {@code [out, in]} shapes that
 * their config.json implies, and their bytes are the BF16 rounding of the F32 GGUF they were exported from (README).
 */
class SafeTensorsFixturesTest {
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @ParameterizedTest
    @CsvSource({"tiny-qwen2, tiny-qwen2.F32.gguf", "tiny-llama, tiny-llama3rope.F32.gguf"})
    void opensWithTheShapesOfItsConfig(String dirName, String ggufName) throws IOException {
        Path dir = Fixtures.file("hf/" + dirName);
        JsonNode config = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
        int hidden = config.get("hidden_size").asInt();
        int ff = config.get("intermediate_size").asInt();
        int layers = config.get("num_hidden_layers").asInt();
        int heads = config.get("num_attention_heads").asInt();
        int kvHeads = config.get("num_key_value_heads").asInt();
        int vocab = config.get("vocab_size").asInt();
        int headDim = config.has("head_dim") ? config.get("head_dim").asInt() : hidden / heads;
        boolean qkvBias = config.get("model_type").asText().equals("qwen2");

        Map<String, long[]> expected = new HashMap<>();
        expected.put("model.embed_tokens.weight", new long[] {vocab, hidden});
        expected.put("lm_head.weight", new long[] {vocab, hidden});
        expected.put("model.norm.weight", new long[] {hidden});
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            expected.put(p + "input_layernorm.weight", new long[] {hidden});
            expected.put(p + "post_attention_layernorm.weight", new long[] {hidden});
            expected.put(p + "self_attn.q_proj.weight", new long[] {heads * headDim, hidden});
            expected.put(p + "self_attn.k_proj.weight", new long[] {kvHeads * headDim, hidden});
            expected.put(p + "self_attn.v_proj.weight", new long[] {kvHeads * headDim, hidden});
            expected.put(p + "self_attn.o_proj.weight", new long[] {hidden, heads * headDim});
            expected.put(p + "mlp.gate_proj.weight", new long[] {ff, hidden});
            expected.put(p + "mlp.up_proj.weight", new long[] {ff, hidden});
            expected.put(p + "mlp.down_proj.weight", new long[] {hidden, ff});
            if (qkvBias) {
                expected.put(p + "self_attn.q_proj.bias", new long[] {heads * headDim});
                expected.put(p + "self_attn.k_proj.bias", new long[] {kvHeads * headDim});
                expected.put(p + "self_attn.v_proj.bias", new long[] {kvHeads * headDim});
            }
        }
        try (SafeTensorsModel model = SafeTensorsModel.open(dir);
                GGUFFile gguf = GGUFFile.open(Fixtures.file("models/" + ggufName))) {
            assertEquals(expected.keySet(), model.names());
            assertEquals(Map.of("format", "pt"), model.metadata());
            assertEquals(1, model.files().size());
            assertNull(model.tensor("absent"));
            Set<String> sorted = new LinkedHashSet<>(model.names().stream().sorted().toList());
            assertEquals(sorted.stream().toList(), model.names().stream().toList()); // README: name order
            long previousEnd = 0;
            for (SafeTensor t : model.tensors()) {
                assertEquals(SafeTensorsDType.BF16, t.dtype(), t.name());
                assertArrayEquals(expected.get(t.name()), t.shape(), t.name());
                assertEquals(2 * t.elements(), t.data().byteSize());
                // Tensors are stored back to back in name order.
                long start = t.data().address() - model.files().get(0).segment().address();
                assertEquals(model.files().get(0).dataStart() + previousEnd, start, t.name());
                previousEnd += t.data().byteSize();

                GGUFTensorInfo g = gguf.tensor(ggufName(t.name()));
                assertNotNull(g, t.name());
                // ggml dims are the reverse of the PyTorch shape.
                long[] reversed = new long[t.rank()];
                for (int i = 0; i < reversed.length; i++) {
                    reversed[i] = t.dim(t.rank() - 1 - i);
                }
                assertArrayEquals(reversed, g.dims(), t.name());
                MemorySegment f32 = gguf.tensorData(g);
                if (!qkvBias && (t.name().endsWith("q_proj.weight") || t.name().endsWith("k_proj.weight"))) {
                    int n = t.name().endsWith("q_proj.weight") ? heads : kvHeads;
                    f32 = unpermuteRows(f32, (int) t.dim(0), (int) t.dim(1), n);
                }
                assertIsBf16Rounding(f32, t.data(), t.name());
            }
        }
    }

    /** The README's rounding rule: bf16 = (u + 0x7FFF + ((u >> 16) & 1)) >> 16 for float32 bits u. */
    private static void assertIsBf16Rounding(MemorySegment f32, MemorySegment bf16, String name) {
        long n = bf16.byteSize() / 2;
        assertEquals(4 * n, f32.byteSize(), name);
        for (long i = 0; i < n; i++) {
            int u = f32.getAtIndex(I32, i);
            short expected = (short) ((u + 0x7FFF + ((u >>> 16) & 1)) >>> 16);
            if (bf16.getAtIndex(I16, i) != expected) {
                throw new AssertionError(name + " element " + i + ": bf16 " + bf16.getAtIndex(I16, i)
                        + " is not the rounding of f32 bits " + Integer.toHexString(u));
            }
        }
    }

    /** HF row order from llama.cpp's permuted one: W_hf[h*d + k*d/2 + j] = W_gguf[h*d + 2j + k]. */
    private static MemorySegment unpermuteRows(MemorySegment gguf, int rows, int cols, int heads) {
        int d = rows / heads;
        MemorySegment out = MemorySegment.ofArray(new float[rows * cols]);
        long rowBytes = 4L * cols;
        for (int h = 0; h < heads; h++) {
            for (int j = 0; j < d / 2; j++) {
                for (int k = 0; k < 2; k++) {
                    long from = (long) (h * d + 2 * j + k) * rowBytes;
                    long to = (long) (h * d + k * d / 2 + j) * rowBytes;
                    MemorySegment.copy(gguf, from, out, to, rowBytes);
                }
            }
        }
        return out;
    }

    private static String ggufName(String hf) {
        return switch (hf) {
            case "model.embed_tokens.weight" -> "token_embd.weight";
            case "lm_head.weight" -> "output.weight";
            case "model.norm.weight" -> "output_norm.weight";
            default -> hf.replace("model.layers.", "blk.")
                    .replace("input_layernorm", "attn_norm")
                    .replace("post_attention_layernorm", "ffn_norm")
                    .replace("self_attn.o_proj", "attn_output")
                    .replaceAll("self_attn\\.([qkv])_proj", "attn_$1")
                    .replaceAll("mlp\\.(gate|up|down)_proj", "ffn_$1");
        };
    }
}
