package org.aloe4j.formats.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.aloe4j.formats.ModelFormatException;
import org.aloe4j.formats.TensorSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** One hand-made broken file per validation rule; each must fail with a one-line message naming file and problem. */
class SafeTensorsValidationTest {
    private static final String T = "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    @TempDir
    Path tmp;

    private int files;

    @Test
    void aHandBuiltFileOpens() throws IOException {
        Path p = file("{\"a\":" + T + ",\"b\":{\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[8,9]},"
                + "\"__metadata__\":{\"k\":\"v\"}}", 9);
        try (SafeTensorsFile f = SafeTensorsFile.open(p)) {
            assertEquals(2, f.tensors().size());
            assertEquals("v", f.metadata().get("k"));
            assertEquals(1, f.tensor("b").data().byteSize());
        }
    }

    @Test
    void absurdHeaderLengths() throws IOException {
        assertRejected(write(new byte[5]), "too short", "5 bytes");
        assertRejected(write(length(200_000_000L, 0)), "header length 200000000 is over the 100000000-byte limit");
        assertRejected(write(length(-1L, 0)), "header length 18446744073709551615");
        assertRejected(write(length(1000, 20)), "header length 1000 is larger than the 20 bytes");
    }

    @Test
    void malformedJson() throws IOException {
        assertRejected(file("{\"a\":", 0), "malformed JSON header");
        assertRejected(file("not json", 0), "malformed JSON header");
        assertRejected(file("", 0), "header is not a JSON object");
        assertRejected(file("[1,2]", 0), "header is not a JSON object");
        assertRejected(file("{} {}", 0), "malformed JSON header");
        byte[] badUtf8 = withHeader(new byte[] {'{', '"', (byte) 0xC3, '"', ':', '1', '}'}, 0);
        assertRejected(write(badUtf8), "malformed JSON header");
    }

    @Test
    void unknownDtype() throws IOException {
        assertRejected(file("{\"a\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,1]}}", 1),
                "tensor 'a' has unknown dtype 'Q4'");
    }

    @Test
    void sizeMustMatchShapeAndDtype() throws IOException {
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8),
                "tensor 'a' holds 8 bytes", "need 12");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,8]}}",
                8), "element count overflows");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904],\"data_offsets\":[0,8]}}",
                8), "byte size overflows");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8),
                "end before they begin");
    }

    @Test
    void offsetsOutOfRangeOverlappingOrNotCovering() throws IOException {
        assertRejected(file("{\"a\":" + T + "}", 4), "tensor 'a' data [0, 8) is beyond the 4-byte data region");
        assertRejected(file("{\"a\":" + T + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}",
                12), "tensors 'a' and 'b' overlap");
        assertRejected(file("{\"a\":" + T + ",\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}}",
                16), "data bytes 8..12 belong to no tensor", "'b'");
        assertRejected(file("{\"a\":" + T + "}", 10), "the last 2 bytes of the 10-byte data region");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,-8]}}", 8),
                "data_offsets[1] is not a non-negative integer");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8.0]}}", 8),
                "data_offsets[1] is not a non-negative integer");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,99999999999999999999]}}",
                8), "data_offsets[1] is not a non-negative integer");
    }

    @Test
    void duplicateKeys() throws IOException {
        assertRejected(file("{\"a\":" + T + ",\"a\":" + T + "}", 8), "malformed JSON header", "Duplicate field 'a'");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8),
                "Duplicate field 'dtype'");
    }

    @Test
    void missingOrMistypedFields() throws IOException {
        assertRejected(file("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "tensor 'a' has no 'dtype'");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8), "tensor 'a' has no 'shape'");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8), "tensor 'a' has no 'data_offsets'");
        assertRejected(file("{\"a\":3}", 0), "tensor 'a' is not a JSON object");
        assertRejected(file("{\"a\":{\"dtype\":7,\"shape\":[2],\"data_offsets\":[0,8]}}", 8), "dtype is not a string");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}}", 8),
                "shape is not an array");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8),
                "shape[0] is not a non-negative integer");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 8),
                "data_offsets is not an array of two numbers");
        assertRejected(file("{\"__metadata__\":{\"k\":1}}", 0), "__metadata__ value of 'k' is not a string");
        assertRejected(file("{\"__metadata__\":[]}", 0), "__metadata__ is not a JSON object");
    }

    @Test
    void modelDirectoryErrors() throws IOException {
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        assertRejected(() -> SafeTensorsModel.open(empty), empty, "no model.safetensors");

        Path dir = Files.createDirectory(tmp.resolve("sharded"));
        new SafeTensorsWriter().add("a", SafeTensorsDType.U8, new long[] {1}, TensorSource.of(new byte[1]))
                .write(dir.resolve("model-00001-of-00002.safetensors"));
        Path index = dir.resolve("model.safetensors.index.json");
        Files.writeString(index, "{\"weight_map\":{\"a\":\"model-00001-of-00002.safetensors\","
                + "\"b\":\"model-00002-of-00002.safetensors\"}}");
        assertRejected(() -> SafeTensorsModel.open(dir), index, "shard 'model-00002-of-00002.safetensors'",
                "tensor 'b'", "does not exist");
        Files.writeString(index, "{\"weight_map\":{\"a\":\"model-00001-of-00002.safetensors\","
                + "\"c\":\"model-00001-of-00002.safetensors\"}}");
        assertRejected(() -> SafeTensorsModel.open(dir), index, "tensor 'c' is mapped to shard", "does not hold it");
        Files.writeString(index, "{\"weight_map\":{\"a\":\"../x.safetensors\"}}");
        assertRejected(() -> SafeTensorsModel.open(dir), index, "outside the model directory");
        Files.writeString(index, "{\"weight_map\":{\"a\":\"model");
        assertRejected(() -> SafeTensorsModel.open(dir), index, "malformed JSON");
        Files.writeString(index, "{\"metadata\":{}}");
        assertRejected(() -> SafeTensorsModel.open(dir), index, "no 'weight_map' object");
        Files.writeString(index, "{\"weight_map\":{}}");
        assertRejected(() -> SafeTensorsModel.open(dir), index, "'weight_map' is empty");
        Files.writeString(index, "{\"weight_map\":{\"a\":1}}");
        assertRejected(() -> SafeTensorsModel.open(dir), index, "weight_map value of 'a' is not a file name");
        // A broken shard is reported under the shard's own name.
        Files.writeString(index, "{\"weight_map\":{\"a\":\"bad.safetensors\"}}");
        Path bad = write(dir.resolve("bad.safetensors"), new byte[3]);
        assertRejected(() -> SafeTensorsModel.open(dir), bad, "too short");
        Path missing = tmp.resolve("missing.safetensors");
        assertRejected(() -> SafeTensorsModel.open(missing), missing, "file not found");
    }

    // ---- helpers

    private Path file(String json, int dataBytes) throws IOException {
        return write(withHeader(json.getBytes(StandardCharsets.UTF_8), dataBytes));
    }

    private static byte[] withHeader(byte[] json, int dataBytes) {
        return ByteBuffer.allocate(8 + json.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(json.length).put(json).array();
    }

    private static byte[] length(long n, int moreBytes) {
        return ByteBuffer.allocate(8 + moreBytes).order(ByteOrder.LITTLE_ENDIAN).putLong(n).array();
    }

    private Path write(byte[] bytes) throws IOException {
        return write(tmp.resolve("case" + (files++) + ".safetensors"), bytes);
    }

    private static Path write(Path p, byte[] bytes) throws IOException {
        Files.write(p, bytes);
        return p;
    }

    private static void assertRejected(Path file, String... fragments) {
        assertRejected(() -> SafeTensorsFile.open(file).close(), file, fragments);
    }

    private static void assertRejected(Executable open, Path file, String... fragments) {
        ModelFormatException e = assertThrows(ModelFormatException.class, open);
        String m = e.getMessage();
        assertTrue(m.startsWith(file.toString() + ": "), "names the file: " + m);
        assertFalse(m.contains("\n"), "one line: " + m);
        for (String f : fragments) {
            assertTrue(m.contains(f), "'" + m + "' should mention: " + f);
        }
    }
}
