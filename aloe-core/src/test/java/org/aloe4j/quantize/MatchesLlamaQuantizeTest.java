package org.aloe4j.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.stream.Stream;
import org.aloe4j.Fixtures;
import org.aloe4j.formats.gguf.GGMLType;
import org.aloe4j.formats.gguf.GGUFFile;
import org.aloe4j.formats.gguf.GGUFTensorInfo;
import org.aloe4j.tensors.Tensors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fixture models' quantized files were written by llama-quantize (no importance matrix) from their F32 masters.
 * Quantizing each master tensor with our quantizer for the type llama.cpp chose must give the same bytes: that
 * checks every quantizer against ggml's reference algorithm, block for block.
 */
class MatchesLlamaQuantizeTest {

    static Stream<Arguments> files() {
        return Stream.of(
                Arguments.of("models/tiny-qwen2.F32.gguf", "models/tiny-qwen2.Q8_0.gguf"),
                Arguments.of("models/tiny-qwen2.F32.gguf", "models/tiny-qwen2.Q6_K.gguf"),
                Arguments.of("models/tiny-qwen2.F32.gguf", "models/tiny-qwen2.Q5_K_M.gguf"),
                Arguments.of("models/tiny-qwen2.F32.gguf", "models/tiny-qwen2.Q4_K_M.gguf"),
                Arguments.of("models/tiny-llama.F32.gguf", "models/tiny-llama.Q4_K_M.gguf"),
                Arguments.of("models/tiny-llama3rope.F32.gguf", "models/tiny-llama3rope.Q4_0.gguf"),
                Arguments.of("models/tiny-llama3rope.F32.gguf", "models/tiny-llama3rope.Q5_0.gguf"),
                Arguments.of("models/tiny-llama3rope.F32.gguf", "models/tiny-llama3rope.Q5_1.gguf"),
                Arguments.of("models/tiny-llama3rope.F32.gguf", "models/tiny-llama3rope.F16.gguf"),
                Arguments.of("models/tiny-llama3rope.F32.gguf", "models/tiny-llama3rope.BF16.gguf"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("files")
    void sameTypeMixAsLlamaQuantize(String master, String quantized) {
        try (GGUFFile q = GGUFFile.open(Fixtures.file(quantized))) {
            int fileType = q.getInt("general.file_type", -1);
            FileType ft = java.util.Arrays.stream(FileType.values()).filter(t -> t.llamaFileType == fileType)
                    .findFirst().orElse(null);
            org.junit.jupiter.api.Assumptions.assumeTrue(ft != null, "file type " + fileType + " is not one we write");
            String arch = q.getString("general.architecture");
            TypeMix mix = new TypeMix(ft, q.getInt(arch + ".block_count", -1), q.tensor("output.weight") == null,
                    false);
            for (GGUFTensorInfo t : q.tensors()) {
                assertEquals(t.type(), mix.typeOf(t.name(), t.dims()), quantized + " " + t.name());
            }
        }
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("files")
    void sameBytesAsLlamaQuantize(String master, String quantized) {
        try (GGUFFile f32 = GGUFFile.open(Fixtures.file(master));
             GGUFFile q = GGUFFile.open(Fixtures.file(quantized))) {
            int compared = 0;
            for (GGUFTensorInfo t : q.tensors()) {
                if (t.type() == GGMLType.F32) {
                    continue;
                }
                GGUFTensorInfo src = f32.tensor(t.name());
                assertEquals(GGMLType.F32, src.type(), t.name());
                int cols = t.rowLength();
                long rows = t.rows();
                float[] values = new float[Math.toIntExact(rows * cols)];
                var master32 = Tensors.wrap(t.name(), GGMLType.F32, f32.tensorData(src), rows, cols);
                for (int r = 0; r < rows; r++) {
                    master32.dequantizeRow(r, values, r * cols);
                }
                byte[] ours = Quantizer.forType(t.type()).quantize(values);
                byte[] theirs = q.tensorData(t).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
                assertEquals(theirs.length, ours.length, t.name());
                int blocks = theirs.length / t.type().blockBytes;
                int differing = 0;
                for (int b = 0; b < blocks; b++) {
                    int o = b * t.type().blockBytes;
                    if (MemorySegment.ofArray(ours).asSlice(o, t.type().blockBytes)
                            .mismatch(MemorySegment.ofArray(theirs).asSlice(o, t.type().blockBytes)) >= 0) {
                        differing++;
                    }
                }
                System.out.printf(Locale.ROOT, "%s %s %s: %d of %d blocks differ%n", quantized, t.name(), t.type(),
                        differing, blocks);
                assertEquals(0, differing, quantized + " " + t.name() + " " + t.type() + ": blocks that differ");
                compared++;
            }
            assertTrue(compared > 0, "no quantized tensor compared");
        }
    }
}
