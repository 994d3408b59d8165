package org.aloe4j.convert;

import org.aloe4j.ReferenceLogits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.aloe4j.formats.gguf.GGMLType;
import org.aloe4j.formats.gguf.GGUFFile;
import org.aloe4j.model.Architecture;
import org.aloe4j.model.ModelConfig;
import org.aloe4j.quantize.FileType;
import org.aloe4j.tokenizer.Tokenizer;
import org.aloe4j.tokenizer.Tokenizers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SyntheticModelTest {

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"QWEN2, Q8_0", "QWEN2, Q4_K_M", "LLAMA, Q4_0", "LLAMA, Q6_K", "LLAMA, F16"})
    void tinyPresetLoadsAndRuns(Architecture arch, FileType type, @TempDir Path tmp) throws IOException {
        ModelConfig c = SyntheticModel.config(SyntheticModel.Preset.TINY, arch);
        Path out = tmp.resolve("tiny.gguf");
        SyntheticModel.Plan plan = SyntheticModel.write(c, type, 7, out);
        try (GGUFFile g = GGUFFile.open(out)) {
            assertEquals(arch.name().toLowerCase(Locale.ROOT), g.getString("general.architecture"));
            assertEquals(type.llamaFileType, g.getInt("general.file_type", -1));
            float[] q = ConvertedTensorsTest.values(g, g.tensor("blk.0.attn_q.weight"));
            double ss = 0;
            for (float v : q) {
                ss += (double) v * v;
            }
            double std = Math.sqrt(ss / q.length);
            assertEquals(SyntheticModel.WEIGHT_STD, std, 0.002, "weights have the intended scale");
            Tokenizer tok = Tokenizers.fromGGUFMetadata(g.metadata(), out);
            assertEquals(1000, tok.vocabSize());
            String prompt = arch == Architecture.QWEN2 ? "<|im_start|>user\nhello there<|im_end|>"
                    : "<|start_header_id|>user<|end_header_id|>\n\nhello there<|eot_id|>";
            int[] ids = tok.encode(prompt, true);
            assertTrue(tok.isSpecial(ids[0]), "a control token first");
            assertEquals(prompt, tok.decode(ids));
            assertEquals(tok.eosId(), ids[ids.length - 1]);
            float[][] logits = ReferenceLogits.of(out, ids);
            assertEquals(1000, logits[0].length);
            for (float[] row : logits) {
                for (float v : row) {
                    assertTrue(Float.isFinite(v));
                }
            }
        }
        assertEquals(Files.size(out) - plan.dataBytes(), headerSize(out), "data section = the planned size");
    }

    private static long headerSize(Path file) {
        try (GGUFFile g = GGUFFile.open(file)) {
            return g.dataOffset();
        }
    }

    @Test
    void sameSeedSameBytesOtherSeedOtherWeights(@TempDir Path tmp) throws IOException {
        ModelConfig c = SyntheticModel.config(SyntheticModel.Preset.TINY, Architecture.QWEN2);
        Path a = tmp.resolve("a.gguf");
        Path b = tmp.resolve("b.gguf");
        Path other = tmp.resolve("c.gguf");
        SyntheticModel.write(c, FileType.Q4_K_M, 1, a);
        SyntheticModel.write(c, FileType.Q4_K_M, 1, b);
        SyntheticModel.write(c, FileType.Q4_K_M, 2, other);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        assertEquals(Files.size(a), Files.size(other));
        assertTrue(Files.mismatch(a, other) >= 0);
    }

    /**
     * Data sizes of the 7B/8B presets, computed without writing: the table gives the sizes of llama.cpp's
     * synthetic files of these shapes (GB = 1e9 bytes, 2 decimals; the file adds a few MB of metadata).
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "QWEN2_5_7B, Q4_0, 4.43", "QWEN2_5_7B, Q8_0, 8.10", "QWEN2_5_7B, Q4_K_M, 4.68",
        "LLAMA3_1_8B, Q4_0, 4.66", "LLAMA3_1_8B, Q8_0, 8.54", "LLAMA3_1_8B, Q4_K_M, 4.92"})
    void presetSizesMatchLlamaCppFiles(SyntheticModel.Preset preset, FileType type, double gigabytes) {
        ModelConfig c = SyntheticModel.config(preset, null);
        SyntheticModel.Plan p = SyntheticModel.plan(c, type, 1);
        System.out.printf(Locale.ROOT, "%s %s: %d bytes of tensor data, types %s%n", preset.id, type, p.dataBytes(),
                p.tensorTypes());
        assertEquals(gigabytes, p.dataBytes() / 1e9, 0.015, preset.id + " " + type);
        if (type == FileType.Q4_0) {
            assertEquals(1, p.tensorTypes().get(GGMLType.Q6_K), "the output matrix is Q6_K in llama-quantize's Q4_0");
        }
    }

    @Test
    void presetErrors() {
        IllegalArgumentException wrongArch = assertThrows(IllegalArgumentException.class,
                () -> SyntheticModel.config(SyntheticModel.Preset.QWEN2_5_7B, Architecture.LLAMA));
        assertTrue(wrongArch.getMessage().contains("qwen2"), wrongArch.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SyntheticModel.config(SyntheticModel.Preset.TINY, null));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> SyntheticModel.Preset.parse("gpt-5"));
        assertTrue(unknown.getMessage().contains("qwen2.5-7b"), unknown.getMessage());
    }
}
