package org.aloe4j.convert;

import org.aloe4j.ReferenceLogits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.aloe4j.Fixtures;
import org.aloe4j.formats.gguf.GGMLType;
import org.aloe4j.formats.gguf.GGUFFile;
import org.aloe4j.formats.gguf.GGUFTensorInfo;
import org.aloe4j.quantize.FileType;
import org.aloe4j.tensors.Tensor;
import org.aloe4j.tensors.Tensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fixture HF directories hold the BF16-rounded weights of the F32 master GGUFs (llama.cpp layout, llama q/k rows
 * already permuted). Converting them back to F32 must give every master tensor, by name and shape, rounded to BF16,
 * bit for bit: that checks the tensor names, the shapes, the q/k permutation and rope_freqs.
 */
class ConvertedTensorsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({"tiny-qwen2, tiny-qwen2", "tiny-llama, tiny-llama3rope"})
    void f32ConversionIsTheBf16RoundedMaster(String hf, String master, @TempDir Path tmp) throws IOException {
        Path out = tmp.resolve(hf + ".gguf");
        HfToGguf.convert(Fixtures.file("hf/" + hf), FileType.F32, out, hf, null);
        try (GGUFFile ours = GGUFFile.open(out); GGUFFile ref = GGUFFile.open(Fixtures.file("models/" + master + ".F32.gguf"))) {
            Set<String> names = new HashSet<>();
            for (GGUFTensorInfo t : ours.tensors()) {
                names.add(t.name());
            }
            Set<String> refNames = new HashSet<>();
            for (GGUFTensorInfo t : ref.tensors()) {
                refNames.add(t.name());
            }
            assertEquals(refNames, names);
            for (GGUFTensorInfo r : ref.tensors()) {
                GGUFTensorInfo t = ours.tensor(r.name());
                assertEquals(GGMLType.F32, t.type(), r.name());
                assertEquals(java.util.Arrays.toString(r.dims()), java.util.Arrays.toString(t.dims()), r.name());
                float[] a = values(ours, t);
                float[] b = values(ref, r);
                for (int i = 0; i < a.length; i++) {
                    float expected = r.name().equals("rope_freqs.weight") ? b[i] : bf16(b[i]);
                    if (r.name().equals("rope_freqs.weight")) {
                        // float32 arithmetic as the converter; torch's pow may differ in the last bit
                        assertEquals(expected, a[i], Math.ulp(expected), r.name() + "[" + i + "]");
                    } else {
                        assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(a[i]), r.name() + "[" + i + "]");
                    }
                }
            }
            String arch = ref.getString("general.architecture");
            assertEquals(arch, ours.getString("general.architecture"));
            for (String key : new String[] {".context_length", ".embedding_length", ".feed_forward_length",
                    ".block_count", ".attention.head_count", ".attention.head_count_kv"}) {
                assertEquals(ref.getInt(arch + key, -1), ours.getInt(arch + key, -2), key);
            }
            assertEquals(ref.getFloat(arch + ".rope.freq_base", 0), ours.getFloat(arch + ".rope.freq_base", 1));
            assertEquals(ref.getFloat(arch + ".attention.layer_norm_rms_epsilon", 0),
                    ours.getFloat(arch + ".attention.layer_norm_rms_epsilon", 1));
            assertEquals(0, ours.getInt("general.file_type", -1));
        }
    }

    @Test
    void quantizedTensorsAreTheF32OnesWithinTheTypesError(@TempDir Path tmp) throws IOException {
        Path f32 = tmp.resolve("f32.gguf");
        Path q = tmp.resolve("q4km.gguf");
        Path hf = Fixtures.file("hf/tiny-qwen2");
        HfToGguf.convert(hf, FileType.F32, f32, "t", null);
        HfToGguf.Result r = HfToGguf.convert(hf, FileType.Q4_K_M, q, "t", null);
        assertEquals(13, r.tensorTypes().get(GGMLType.Q4_K));
        assertEquals(3, r.tensorTypes().get(GGMLType.Q6_K));
        try (GGUFFile a = GGUFFile.open(f32); GGUFFile b = GGUFFile.open(q)) {
            assertEquals(FileType.Q4_K_M.llamaFileType, b.getInt("general.file_type", -1));
            for (GGUFTensorInfo t : b.tensors()) {
                float[] exact = values(a, a.tensor(t.name()));
                float[] got = values(b, t);
                double se = 0;
                double ss = 0;
                for (int i = 0; i < exact.length; i++) {
                    se += Math.pow(exact[i] - got[i], 2);
                    ss += (double) exact[i] * exact[i];
                }
                double rel = Math.sqrt(se / ss);
                double bound = switch (t.type()) {
                    case F32 -> 0;
                    case Q6_K -> 0.0185;
                    case Q4_K -> 0.074;
                    default -> throw new AssertionError(t.name() + " " + t.type());
                };
                assertTrue(rel <= bound, t.name() + " " + t.type() + ": relative RMSE " + rel);
            }
        }
    }

    @Test
    void tiedEmbeddingsWriteNoOutputMatrix(@TempDir Path tmp) throws IOException {
        // a copy of tiny-qwen2 without lm_head and with tie_word_embeddings
        Path dir = TestHfDirs.tiedCopy(Fixtures.file("hf/tiny-qwen2"), tmp.resolve("tied"));
        Path out = tmp.resolve("tied.gguf");
        HfToGguf.Result r = HfToGguf.convert(dir, FileType.Q4_0, out, "tied", null);
        assertTrue(r.config().tiedEmbeddings());
        try (GGUFFile g = GGUFFile.open(out)) {
            assertNull(g.tensor("output.weight"));
            assertNotNull(g.tensor("token_embd.weight"));
            assertEquals(GGMLType.Q6_K, g.tensor("token_embd.weight").type(), "tied embeddings take the output's type");
        }
        float[][] logits = ReferenceLogits.of(out, new int[] {998, 785, 281});
        assertEquals(1000, logits[0].length);
    }

    static float[] values(GGUFFile g, GGUFTensorInfo t) {
        long rows = t.rows();
        int cols = t.rowLength();
        Tensor x = Tensors.wrap(t.name(), t.type(), g.tensorData(t), rows, cols);
        float[] out = new float[Math.toIntExact(rows * cols)];
        for (int r = 0; r < rows; r++) {
            x.dequantizeRow(r, out, r * cols);
        }
        return out;
    }

    static float bf16(float v) {
        int u = Float.floatToRawIntBits(v);
        return Float.intBitsToFloat(((u + 0x7FFF + ((u >>> 16) & 1)) >>> 16) << 16);
    }
}
