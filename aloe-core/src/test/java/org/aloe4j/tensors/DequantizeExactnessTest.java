package org.aloe4j.tensors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.aloe4j.Fixtures;
import org.aloe4j.formats.gguf.GGMLType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Tensor#dequantizeRow} is bit-identical to an independent implementation: llama.cpp's gguf-py (numpy)
 * dequantized rows of the fixture models, recorded in {@code src/test/resources/tensors/dequant-TYPE.json} (see the
 * README there). Every value is compared by its float bits.
 */
class DequantizeExactnessTest {

    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1",
        "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void rowsMatchGgufPy(GGMLType type) throws Exception {
        JsonNode expected;
        try (InputStream in = getClass().getResourceAsStream("/tensors/dequant-" + type + ".json")) {
            expected = new ObjectMapper().readTree(in);
        }
        Path file = Fixtures.file(expected.get("file").asText());
        assertEquals(expected.get("sha256").asText(), sha256(file),
                file + " is not the file the expected values were made from");
        try (MiniGguf gguf = new MiniGguf(file)) {
            Tensor tensor = gguf.wrap(expected.get("tensor").asText());
            assertEquals(type, tensor.type());
            assertEquals(expected.get("rows").asLong(), tensor.rows());
            assertEquals(expected.get("cols").asInt(), tensor.cols());
            JsonNode rowIndices = expected.get("row_indices");
            JsonNode bits = expected.get("expected_bits");
            float[] row = new float[tensor.cols()];
            int compared = 0;
            for (int i = 0; i < rowIndices.size(); i++) {
                long r = rowIndices.get(i).asLong();
                tensor.dequantizeRow(r, row, 0);
                JsonNode want = bits.get(i);
                assertEquals(tensor.cols(), want.size());
                for (int j = 0; j < row.length; j++) {
                    int expectedBits = want.get(j).asInt();
                    int actualBits = Float.floatToRawIntBits(row[j]);
                    if (expectedBits != actualBits) {
                        throw new AssertionError(type + " " + tensor.name() + " row " + r + " col " + j + ": expected "
                                + Float.intBitsToFloat(expectedBits) + " but dequantized " + row[j]);
                    }
                    compared++;
                }
            }
            System.out.printf("%s: %d values of %s in %s bit-identical to gguf-py%n", type, compared,
                    tensor.name(), file.getFileName());
        }
    }

    /**
     * Random blocks (random quant bytes, random finite fp16 scales of both signs down to subnormals) dequantized by
     * gguf-py: covers bit patterns a quantizer may never write (negative or subnormal scales, every 6-bit scale).
     */
    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1",
        "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void randomBlocksMatchGgufPy(GGMLType type) throws Exception {
        JsonNode random;
        try (InputStream in = getClass().getResourceAsStream("/tensors/dequant-" + type + ".json")) {
            random = new ObjectMapper().readTree(in).get("random_blocks");
        }
        byte[] bytes = HexFormat.of().parseHex(random.get("hex").asText());
        int cols = random.get("cols").asInt();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(bytes.length);
            MemorySegment.copy(MemorySegment.ofArray(bytes), 0, data, 0, bytes.length);
            Tensor tensor = Tensors.wrap("random", type, data, 1, cols);
            float[] row = new float[cols];
            tensor.dequantizeRow(0, row, 0);
            JsonNode want = random.get("expected_bits");
            assertEquals(cols, want.size());
            for (int j = 0; j < cols; j++) {
                int expectedBits = want.get(j).asInt();
                if (expectedBits != Float.floatToRawIntBits(row[j])) {
                    throw new AssertionError(type + " random block value " + j + ": expected "
                            + Float.intBitsToFloat(expectedBits) + " but dequantized " + row[j]);
                }
            }
            System.out.printf("%s: %d random-block values bit-identical to gguf-py%n", type, cols);
        }
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        return HexFormat.of().formatHex(digest.digest(Files.readAllBytes(file)));
    }
}
