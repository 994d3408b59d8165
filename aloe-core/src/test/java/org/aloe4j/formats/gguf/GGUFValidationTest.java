package org.aloe4j.formats.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.aloe4j.formats.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One hand-made broken file per validation rule; each must fail with a one-line message naming file and problem. */
class GGUFValidationTest {
    private static final int F32 = GGMLType.F32.id;

    @TempDir
    Path tmp;

    /** A valid two-tensor file built by hand, independently of GGUFWriter (also the base of the cases below). */
    @Test
    void aHandBuiltFileOpens() throws IOException {
        RawGGUF raw = RawGGUF.header(2, 2).kvString("general.architecture", "llama").kvU32("llama.block_count", 2)
                .tensor("a", new long[] {4}, F32, 0).tensor("b", new long[] {32, 2}, GGMLType.Q8_0.id, 32)
                .pad(32);
        long dataOffset = raw.size();
        raw.zeros(32 + 68);
        try (GGUFFile g = GGUFFile.open(write(raw))) {
            assertEquals(dataOffset, g.dataOffset());
            assertEquals(2, g.getInt("llama.block_count", 0));
            assertEquals(68, g.tensor("b").byteSize());
            assertEquals(2, g.tensors().size());
        }
    }

    @Test
    void wrongMagic() throws IOException {
        byte[] bytes = RawGGUF.header(0, 0).toByteArray();
        bytes[0] = 'X';
        assertRejected(write(bytes), "not a GGUF file", "0x58475546");
        assertRejected(write("PK\u0003\u0004 a zip file".getBytes(StandardCharsets.ISO_8859_1)), "not a GGUF file");
    }

    @Test
    void emptyAndTinyFiles() throws IOException {
        assertRejected(write(new byte[0]), "not a GGUF file", "0 bytes");
        assertRejected(write("GGUF".getBytes(StandardCharsets.US_ASCII)), "truncated", "version");
        assertRejected(write(Arrays.copyOf(RawGGUF.header(0, 0).toByteArray(), 20)), "truncated", "metadata count");
    }

    @Test
    void unsupportedVersions() throws IOException {
        assertRejected(write(withVersion(1)), "GGUF version 1 is not supported");
        assertRejected(write(withVersion(4)), "unsupported GGUF version 4");
        assertRejected(write(withVersion(0x03000000)), "big-endian");
        // Version 2 has the same layout as 3 and is accepted.
        try (GGUFFile g = GGUFFile.open(write(withVersion(2)))) {
            assertEquals(2, g.version());
        }
    }

    private static byte[] withVersion(int version) {
        byte[] b = RawGGUF.header(0, 0).toByteArray();
        b[4] = (byte) version;
        b[5] = (byte) (version >>> 8);
        b[6] = (byte) (version >>> 16);
        b[7] = (byte) (version >>> 24);
        return b;
    }

    @Test
    void absurdCounts() throws IOException {
        assertRejected(write(RawGGUF.header(1L << 40, 0)), "tensor count 1099511627776 is larger than");
        assertRejected(write(RawGGUF.header(0, 1L << 62)), "metadata entry count", "larger than");
        assertRejected(write(RawGGUF.header(0, -1L)), "metadata entry count 18446744073709551615");
        // Plausible before the metadata, impossible after it.
        RawGGUF raw = RawGGUF.header(3, 1).kvString("k", "x".repeat(70));
        assertRejected(write(raw.zeros(10)), "tensor count 3 is larger than the 10 bytes left");
    }

    @Test
    void absurdStringAndArrayLengths() throws IOException {
        assertRejected(write(RawGGUF.header(0, 1).u64(1L << 50).zeros(20)), "string length 1125899906842624",
                "key", "metadata entry 0");
        assertRejected(write(RawGGUF.header(0, 1).key("s", GGUFValueType.STRING).u64(-5L).zeros(20)),
                "string length 18446744073709551611", "'s'");
        assertRejected(write(RawGGUF.header(0, 1).key("arr", GGUFValueType.ARRAY).u32(GGUFValueType.INT32.id)
                .u64(1L << 60).zeros(40)), "array length 1152921504606846976 of INT32", "'arr'");
        // 11 strings need at least 88 bytes.
        assertRejected(write(RawGGUF.header(0, 1).key("arr", GGUFValueType.ARRAY).u32(GGUFValueType.STRING.id)
                .u64(11).zeros(80)), "array length 11 of STRING is larger than the 80 bytes left");
    }

    @Test
    void truncatedAnywhereInTheMetadata() throws IOException {
        RawGGUF keyCut = RawGGUF.header(0, 1).u64(10).bytes("abcde".getBytes(StandardCharsets.US_ASCII));
        assertRejected(write(keyCut), "string length 10", "5 bytes left");
        assertRejected(write(RawGGUF.header(0, 1).str("kkkkk")), "truncated", "value type",
                "metadata entry 0 ('kkkkk')");
        assertRejected(write(RawGGUF.header(0, 1).key("k", GGUFValueType.UINT64).zeros(5)), "truncated", "value",
                "'k'");
        RawGGUF stringsCut = RawGGUF.header(0, 1).key("toks", GGUFValueType.ARRAY).u32(GGUFValueType.STRING.id)
                .u64(3).str("a").str("b").u64(30).zeros(4);
        assertRejected(write(stringsCut), "string length 30", "array element", "'toks'");
        RawGGUF secondEntryMissing = RawGGUF.header(0, 2).kvU32("a", 1);
        assertRejected(write(secondEntryMissing.zeros(12)), "truncated", "metadata entry 1");
    }

    @Test
    void truncatedTensorInfosAndData() throws IOException {
        String b = "b".repeat(20);
        RawGGUF infos = RawGGUF.header(2, 0).tensor("a", new long[] {4}, F32, 0).str(b).u32(4).u64(4);
        assertRejected(write(infos.zeros(2)), "truncated", "dimension", "tensor info 1 ('" + b + "')");
        RawGGUF data = RawGGUF.header(1, 0).tensor("a", new long[] {64}, F32, 0).pad(32).zeros(255);
        assertRejected(write(data), "truncated or bad offset", "tensor 'a'", "beyond the end of the file");
        RawGGUF noDataSection = RawGGUF.header(1, 0).tensor("a", new long[] {1}, F32, 0);
        assertRejected(write(noDataSection), "data section would start at byte 64");
    }

    @Test
    void dimensionCounts() throws IOException {
        assertRejected(write(oneTensor(new long[0], F32, 0)), "tensor 't' has 0 dimensions (must be 1 to 4)");
        assertRejected(write(oneTensor(new long[] {1, 1, 1, 1, 1}, F32, 0)), "tensor 't' has 5 dimensions");
    }

    @Test
    void zeroNegativeAndOverflowingDimensions() throws IOException {
        assertRejected(write(oneTensor(new long[] {4, 0}, F32, 0)), "dimension 1 = 0 (must be positive)");
        assertRejected(write(oneTensor(new long[] {-4}, F32, 0)), "dimension 0 = 18446744073709551612");
        assertRejected(write(oneTensor(new long[] {1L << 32, 1L << 32}, F32, 0)), "element count overflows");
        assertRejected(write(oneTensor(new long[] {1L << 30, 1L << 31}, F32, 0)), "byte size overflows");
    }

    @Test
    void unknownTypeIds() throws IOException {
        assertRejected(write(oneTensor(new long[] {32}, 4, 0)), "unknown ggml type id 4"); // removed Q4_2
        assertRejected(write(oneTensor(new long[] {32}, 200, 0)), "unknown ggml type id 200");
        assertRejected(write(RawGGUF.header(0, 1).str("k").u32(13).zeros(8)), "unknown value type id 13", "'k'");
        assertRejected(write(RawGGUF.header(0, 1).key("k", GGUFValueType.ARRAY).u32(99).u64(0)),
                "unknown array element type id 99");
    }

    @Test
    void rowNotAMultipleOfTheBlockSize() throws IOException {
        assertRejected(write(oneTensor(new long[] {48, 2}, GGMLType.Q4_0.id, 0)),
                "row length 48 is not a multiple of the block size 32 of type Q4_0");
        assertRejected(write(oneTensor(new long[] {128}, GGMLType.Q4_K.id, 0)), "block size 256 of type Q4_K");
    }

    @Test
    void offsetsUnalignedOverlappingOrBeyondTheEnd() throws IOException {
        assertRejected(write(oneTensor(new long[] {4}, F32, 4)), "data offset 4 is not a multiple of the alignment 32");
        RawGGUF overlap = RawGGUF.header(2, 0).tensor("a", new long[] {16}, F32, 0)
                .tensor("b", new long[] {16}, F32, 32).pad(32).zeros(128);
        assertRejected(write(overlap), "tensors 'a' and 'b' overlap");
        RawGGUF sameOffset = RawGGUF.header(2, 0).tensor("a", new long[] {1}, F32, 64)
                .tensor("b", new long[] {1}, F32, 64).pad(32).zeros(128);
        assertRejected(write(sameOffset), "overlap");
        assertRejected(write(oneTensor(new long[] {4}, F32, 1L << 40)), "beyond the end of the file");
        assertRejected(write(oneTensor(new long[] {4}, F32, -32)), "data offset 18446744073709551584",
                "beyond the end");
    }

    @Test
    void duplicates() throws IOException {
        assertRejected(write(RawGGUF.header(0, 2).kvU32("k", 1).kvU32("k", 2)), "duplicate metadata key 'k'");
        RawGGUF tensors = RawGGUF.header(2, 0).tensor("w", new long[] {8}, F32, 0).tensor("w", new long[] {8}, F32, 32)
                .pad(32).zeros(64);
        assertRejected(write(tensors), "duplicate tensor name 'w'");
    }

    @Test
    void alignmentMustBeAPowerOfTwo() throws IOException {
        assertRejected(write(RawGGUF.header(0, 1).kvU32("general.alignment", 48)),
                "general.alignment 48 is not a power of two");
        assertRejected(write(RawGGUF.header(0, 1).kvU32("general.alignment", 0)), "general.alignment 0");
        assertRejected(write(RawGGUF.header(0, 1).kvString("general.alignment", "32")),
                "general.alignment has type STRING");
    }

    @Test
    void boolsMustBeZeroOrOne() throws IOException {
        assertRejected(write(RawGGUF.header(0, 1).key("b", GGUFValueType.BOOL).u8(2)), "bool value 2");
    }

    @Test
    void arrayNestingIsBounded() throws IOException {
        RawGGUF raw = RawGGUF.header(0, 1).key("deep", GGUFValueType.ARRAY);
        for (int i = 0; i < 100; i++) {
            raw.u32(GGUFValueType.ARRAY.id).u64(1);
        }
        raw.u32(GGUFValueType.INT32.id).u64(0);
        assertRejected(write(raw), "nested deeper than 64");
    }

    /** Invalid UTF-8 is tolerated and decoded with U+FFFD, as llama.cpp loads such files too. */
    @Test
    void invalidUtf8IsTolerated() throws IOException {
        RawGGUF raw = RawGGUF.header(0, 1).key("s", GGUFValueType.STRING).u64(3)
                .bytes(new byte[] {'a', (byte) 0xFF, 'b'});
        try (GGUFFile g = GGUFFile.open(write(raw))) {
            assertEquals("a\uFFFDb", g.getString("s"));
        }
    }

    @Test
    void missingFilesAndDirectories() {
        assertRejected(tmp.resolve("absent.gguf"), "file not found");
        assertRejected(tmp, "not a regular file");
    }

    @Test
    void namesFromTheFileCannotBreakTheMessageIntoLines() throws IOException {
        assertRejected(write(RawGGUF.header(0, 2).kvU32("a\nb", 1).kvU32("a\nb", 2)), "duplicate metadata key 'a\\x0ab'");
    }

    private static RawGGUF oneTensor(long[] dims, int typeId, long offset) {
        return RawGGUF.header(1, 0).tensor("t", dims, typeId, offset).pad(32).zeros(64);
    }

    private int files;

    private Path write(RawGGUF raw) throws IOException {
        return write(raw.toByteArray());
    }

    private Path write(byte[] bytes) throws IOException {
        Path p = tmp.resolve("case" + (files++) + ".gguf");
        Files.write(p, bytes);
        return p;
    }

    private static void assertRejected(Path file, String... fragments) {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> GGUFFile.open(file).close());
        String m = e.getMessage();
        assertTrue(m.startsWith(file.toString() + ": "), "names the file: " + m);
        assertFalse(m.contains("\n"), "one line: " + m);
        for (String f : fragments) {
            assertTrue(m.contains(f), "'" + m + "' should mention: " + f);
        }
    }

    @Test
    void theHelperItselfDetectsAValidFile() throws IOException {
        Path ok = write(RawGGUF.header(0, 0));
        assertThrows(AssertionError.class, () -> assertRejected(ok, "anything"));
        try (GGUFFile g = GGUFFile.open(ok)) {
            assertArrayEquals(new Object[0], g.metadata().keySet().toArray());
        }
    }
}
