package org.aloe4j.formats.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.aloe4j.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every GGUF fixture opens with the architecture, shapes, tokenizer and tensor table of the fixtures README. */
class GGUFFixturesTest {
    private static final ValueLayout.OfFloat F32 =
            ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** One row of the README's model table. */
    record Expected(String file, long bytes, String arch, int embd, int ff, int layers, int heads, int kvHeads,
            int ctx, int vocab, boolean tied, boolean ropeFreqs, Map<GGMLType, Integer> matrixTypes) {
        @Override
        public String toString() {
            return file;
        }
    }

    static List<Expected> models() {
        Map<GGMLType, Integer> f32 = Map.of(GGMLType.F32, 16);
        return List.of(
                new Expected("stories260K.gguf", 1185632, "llama", 64, 172, 5, 8, 4, 512, 512, false, false,
                        Map.of(GGMLType.F32, 37)),
                new Expected("tiny-llama.F32.gguf", 6798880, "llama", 256, 512, 2, 4, 2, 256, 1000, false, false, f32),
                new Expected("tiny-llama.Q4_K_M.gguf", 1092160, "llama", 256, 512, 2, 4, 2, 256, 1000, false, false,
                        Map.of(GGMLType.Q4_K, 13, GGMLType.Q6_K, 3)),
                rope("tiny-llama3rope.F32.gguf", 2626784, f32),
                rope("tiny-llama3rope.F16.gguf", 1328384, Map.of(GGMLType.F16, 16)),
                rope("tiny-llama3rope.BF16.gguf", 1328384, Map.of(GGMLType.BF16, 16)),
                rope("tiny-llama3rope.Q4_0.gguf", 459136, Map.of(GGMLType.Q4_0, 15, GGMLType.Q8_0, 1)),
                rope("tiny-llama3rope.Q4_1.gguf", 491712, Map.of(GGMLType.Q4_1, 15, GGMLType.Q8_0, 1)),
                rope("tiny-llama3rope.Q5_0.gguf", 524288, Map.of(GGMLType.Q5_0, 15, GGMLType.Q8_0, 1)),
                rope("tiny-llama3rope.Q5_1.gguf", 556864, Map.of(GGMLType.Q5_1, 15, GGMLType.Q8_0, 1)),
                new Expected("tiny-qwen2-realvocab.Q8_0.gguf", 11509120, "qwen2", 64, 192, 2, 4, 2, 32768, 151936,
                        true, false, Map.of(GGMLType.Q8_0, 14, GGMLType.Q4_0, 1)),
                qwen("tiny-qwen2.F32.gguf", 6803200, f32),
                qwen("tiny-qwen2.Q2_K.gguf", 764320, Map.of(GGMLType.Q2_K, 9, GGMLType.Q3_K, 6, GGMLType.Q6_K, 1)),
                qwen("tiny-qwen2.Q4_K_M.gguf", 1096448, Map.of(GGMLType.Q4_K, 13, GGMLType.Q6_K, 3)),
                qwen("tiny-qwen2.Q5_K_M.gguf", 1255424, Map.of(GGMLType.Q5_K, 13, GGMLType.Q6_K, 3)),
                qwen("tiny-qwen2.Q6_K.gguf", 1424352, Map.of(GGMLType.Q6_K, 16)),
                qwen("tiny-qwen2.Q8_0.gguf", 1834016, Map.of(GGMLType.Q8_0, 16)));
    }

    private static Expected rope(String file, long bytes, Map<GGMLType, Integer> types) {
        return new Expected(file, bytes, "llama", 128, 384, 2, 2, 1, 131072, 1000, false, true, types);
    }

    private static Expected qwen(String file, long bytes, Map<GGMLType, Integer> types) {
        return new Expected(file, bytes, "qwen2", 256, 512, 2, 4, 2, 256, 1000, false, false, types);
    }

    @Test
    void theTableCoversEveryGgufFixture() throws IOException {
        Path models = Fixtures.file("models");
        Set<String> onDisk;
        try (Stream<Path> files = Files.list(models)) {
            onDisk = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".gguf"))
                    .collect(Collectors.toSet());
        }
        assertEquals(onDisk, models().stream().map(Expected::file).collect(Collectors.toSet()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void opensWithTheDocumentedArchitectureAndTensorTable(Expected e) {
        Path path = Fixtures.file("models/" + e.file());
        try (GGUFFile g = GGUFFile.open(path)) {
            assertEquals(3, g.version());
            assertEquals(32, g.alignment());
            assertEquals(e.bytes(), g.segment().byteSize());
            String a = e.arch();
            assertEquals(a, g.getString("general.architecture"));
            assertEquals(e.embd(), g.getInt(a + ".embedding_length", -1));
            assertEquals(e.ff(), g.getInt(a + ".feed_forward_length", -1));
            assertEquals(e.layers(), g.getInt(a + ".block_count", -1));
            assertEquals(e.heads(), g.getInt(a + ".attention.head_count", -1));
            assertEquals(e.kvHeads(), g.getInt(a + ".attention.head_count_kv", -1));
            assertEquals(e.ctx(), g.getInt(a + ".context_length", -1));
            assertEquals(GGUFValueType.UINT32, g.metadataType(a + ".block_count"));

            // Tensor types: 2-D as in the README, 1-D all F32 (norms, biases, rope factors).
            Map<GGMLType, Integer> matrixTypes = new TreeMap<>();
            int vectors = 0;
            for (GGUFTensorInfo t : g.tensors()) {
                if (t.rank() == 2) {
                    matrixTypes.merge(t.type(), 1, Integer::sum);
                } else {
                    assertEquals(1, t.rank(), t.name());
                    assertEquals(GGMLType.F32, t.type(), t.name());
                    vectors++;
                }
            }
            assertEquals(new TreeMap<>(e.matrixTypes()), matrixTypes);
            int biases = a.equals("qwen2") ? 3 : 0;
            assertEquals(e.layers() * (2 + biases) + 1 + (e.ropeFreqs() ? 1 : 0), vectors);
            assertEquals(7 * e.layers() + (e.tied() ? 1 : 2), g.tensors().size() - vectors);

            int headDim = e.embd() / e.heads();
            assertShape(g, "token_embd.weight", e.embd(), e.vocab());
            assertShape(g, "output_norm.weight", e.embd());
            assertShape(g, "blk.0.attn_norm.weight", e.embd());
            assertShape(g, "blk.0.attn_q.weight", e.embd(), e.heads() * headDim);
            assertShape(g, "blk.0.attn_k.weight", e.embd(), e.kvHeads() * headDim);
            assertShape(g, "blk.0.attn_v.weight", e.embd(), e.kvHeads() * headDim);
            assertShape(g, "blk.0.attn_output.weight", e.heads() * headDim, e.embd());
            assertShape(g, "blk.0.ffn_gate.weight", e.embd(), e.ff());
            assertShape(g, "blk.0.ffn_up.weight", e.embd(), e.ff());
            assertShape(g, "blk." + (e.layers() - 1) + ".ffn_down.weight", e.ff(), e.embd());
            if (e.tied()) {
                assertNull(g.tensor("output.weight"));
            } else {
                assertShape(g, "output.weight", e.embd(), e.vocab());
            }
            if (biases > 0) {
                assertShape(g, "blk.1.attn_q.bias", e.heads() * headDim);
            } else {
                assertNull(g.tensor("blk.0.attn_q.bias"));
            }
            assertLaidOutAsLlamaCppDoes(g);
            assertEquals(e.vocab(), g.getStringArray("tokenizer.ggml.tokens").length);
            assertEquals(e.vocab(), g.getIntArray("tokenizer.ggml.token_type").length);
        }
    }

    private static void assertShape(GGUFFile g, String name, long... dims) {
        GGUFTensorInfo t = g.tensor(name);
        assertNotNull(t, name);
        assertArrayEquals(dims, t.dims(), name);
        assertEquals(dims[0], t.rowLength());
        assertEquals(t.elements() / dims[0], t.rows());
        assertEquals(t.type().bytesFor(t.elements()), t.byteSize());
        assertEquals(t.byteSize(), g.tensorData(t).byteSize());
    }

    /** Tensors back to back in table order, each padded to the alignment, the file ending after the last one. */
    private static void assertLaidOutAsLlamaCppDoes(GGUFFile g) {
        long expected = 0;
        for (GGUFTensorInfo t : g.tensors()) {
            assertEquals(expected, t.offset(), t.name());
            expected += (t.byteSize() + g.alignment() - 1) / g.alignment() * g.alignment();
        }
        assertEquals(g.segment().byteSize(), g.dataOffset() + expected);
        assertEquals(0, g.dataOffset() % g.alignment());
    }

    @Test
    void syntheticModelsCarryTheSmallVocabulary() {
        try (GGUFFile g = GGUFFile.open(Fixtures.file("models/tiny-qwen2.Q4_K_M.gguf"))) {
            assertEquals("gpt2", g.getString("tokenizer.ggml.model"));
            assertEquals("qwen2", g.getString("tokenizer.ggml.pre"));
            String[] tokens = g.getStringArray("tokenizer.ggml.tokens");
            assertEquals("<|endoftext|>", tokens[997]);
            assertEquals("<|im_start|>", tokens[998]);
            assertEquals("<|im_end|>", tokens[999]);
            assertEquals(741, g.getStringArray("tokenizer.ggml.merges").length);
            assertEquals("Ġ Ġ", g.getStringArray("tokenizer.ggml.merges")[0]);
            assertEquals(997, g.getInt("tokenizer.ggml.bos_token_id", -1));
            assertEquals(999, g.getInt("tokenizer.ggml.eos_token_id", -1));
            assertEquals(997, g.getInt("tokenizer.ggml.padding_token_id", -1));
            assertFalse(g.getBoolean("tokenizer.ggml.add_bos_token", true));
            assertEquals(1e6f, g.getFloat("qwen2.rope.freq_base", 0));
            assertEquals(1e-6f, g.getFloat("qwen2.attention.layer_norm_rms_epsilon", 0));
            assertNull(g.getString("tokenizer.chat_template"));
        }
    }

    @Test
    void realVocabularyModelHasQwenTokensAndChatTemplate() throws IOException {
        try (GGUFFile g = GGUFFile.open(Fixtures.file("models/tiny-qwen2-realvocab.Q8_0.gguf"))) {
            String[] tokens = g.getStringArray("tokenizer.ggml.tokens");
            assertEquals(151936, tokens.length);
            assertEquals("<|endoftext|>", tokens[151643]);
            assertEquals("<|im_start|>", tokens[151644]);
            assertEquals("<|im_end|>", tokens[151645]);
            assertEquals("[PAD151935]", tokens[151935]);
            int[] types = g.getIntArray("tokenizer.ggml.token_type");
            assertEquals(5, types[151935]); // UNUSED
            assertEquals(151387, g.getStringArray("tokenizer.ggml.merges").length);
            assertEquals(151643, g.getInt("tokenizer.ggml.bos_token_id", -1));
            assertEquals(151645, g.getInt("tokenizer.ggml.eos_token_id", -1));
            // The README: the template is byte-identical to the Qwen2.5-7B-Instruct one.
            String template = Files.readString(Fixtures.file("chat-templates/qwen2.5-7b-instruct.jinja"));
            assertEquals(template, g.getString("tokenizer.chat_template"));
            assertEquals(GGMLType.Q4_0, g.tensor("token_embd.weight").type());
        }
    }

    @Test
    void stories260KIsASentencePieceLlama() {
        try (GGUFFile g = GGUFFile.open(Fixtures.file("models/stories260K.gguf"))) {
            assertEquals("llama", g.getString("general.architecture"));
            assertEquals(5, g.getInt("llama.block_count", -1));
            assertEquals("llama", g.getString("tokenizer.ggml.model"));
            String[] tokens = g.getStringArray("tokenizer.ggml.tokens");
            assertEquals(512, tokens.length);
            assertEquals("<unk>", tokens[0]);
            assertEquals("<s>", tokens[1]);
            assertEquals("</s>", tokens[2]);
            assertEquals(512, g.getFloatArray("tokenizer.ggml.scores").length);
            assertEquals(1, g.getInt("tokenizer.ggml.bos_token_id", -1));
            assertEquals(2, g.getInt("tokenizer.ggml.eos_token_id", -1));
            assertTrue(g.getBoolean("tokenizer.ggml.add_bos_token", false));
            assertEquals(10000f, g.getFloat("llama.rope.freq_base", 0));
        }
    }

    /** Reads real values through tensorData: the README's Llama-3.1 rope factors and the all-ones norms. */
    @Test
    void tensorDataHoldsTheDocumentedValues() {
        try (GGUFFile g = GGUFFile.open(Fixtures.file("models/tiny-llama3rope.F32.gguf"))) {
            GGUFTensorInfo rope = g.tensors().get(0);
            assertEquals("rope_freqs.weight", rope.name());
            assertArrayEquals(new long[] {32}, rope.dims());
            float[] f = g.tensorData(rope).toArray(F32);
            // llama.cpp's converter formula (README), recomputed here in double precision.
            for (int i = 0; i < 32; i++) {
                double freq = 1 / Math.pow(500000, 2.0 * i / 64);
                double wavelen = 2 * Math.PI / freq;
                double factor;
                if (wavelen < 8192 / 4.0) {
                    factor = 1;
                } else if (wavelen > 8192) {
                    factor = 8;
                } else {
                    double s = (8192 / wavelen - 1) / (4 - 1);
                    factor = 1 / ((1 - s) / 8 + s);
                }
                assertEquals(factor, f[i], 1e-6 * factor, "factor " + i);
            }
            // The three values the README quotes (it says 16 ones and 13 eights; the formula gives 15 and 14).
            assertEquals(1.55341458f, f[15]);
            assertEquals(2.69453001f, f[16]);
            assertEquals(5.25732708f, f[17]);
            for (float v : g.tensorData(g.tensor("blk.1.ffn_norm.weight")).toArray(F32)) {
                assertEquals(1f, v);
            }
            float[] q = g.tensorData(g.tensor("blk.0.attn_q.weight")).toArray(F32);
            assertEquals(128 * 128, q.length);
            for (float v : q) {
                assertTrue(v >= -0.05f && v < 0.05f, "uniform [-0.05, 0.05) weights");
            }
        }
    }
}
