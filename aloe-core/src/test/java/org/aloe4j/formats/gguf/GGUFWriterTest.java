package org.aloe4j.formats.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.aloe4j.Fixtures;
import org.aloe4j.formats.ModelFormatException;
import org.aloe4j.formats.TensorSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GGUFWriterTest {
    @TempDir
    Path tmp;

    @Test
    void everyMetadataTypeRoundTripsWithItsJavaType() throws IOException {
        GGUFWriter w = new GGUFWriter()
                .put("u8", GGUFValueType.UINT8, 255)
                .put("i8", GGUFValueType.INT8, -128)
                .put("u16", GGUFValueType.UINT16, 65535)
                .put("i16", GGUFValueType.INT16, -32768)
                .putUint32("u32", 0xFFFF_FFFFL)
                .putInt32("i32", Integer.MIN_VALUE)
                .putFloat32("f32", -1.5e-5f)
                .putBool("bool", true)
                .putString("str", "héllo ✓ 🩺")
                .putUint64("u64", -1L) // 2^64-1: wraps to -1 as a long
                .put("i64", GGUFValueType.INT64, Long.MIN_VALUE)
                .put("f64", GGUFValueType.FLOAT64, Math.PI)
                .putString("empty", "");
        w.write(tmp.resolve("m.gguf"));
        try (GGUFFile g = GGUFFile.open(tmp.resolve("m.gguf"))) {
            assertEquals(3, g.version());
            assertEquals(List.of("u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "str", "u64", "i64", "f64",
                    "empty"), List.copyOf(g.metadata().keySet()));
            assertEquals(Integer.valueOf(255), g.metadata().get("u8"));
            assertEquals(Integer.valueOf(-128), g.metadata().get("i8"));
            assertEquals(Integer.valueOf(65535), g.metadata().get("u16"));
            assertEquals(Integer.valueOf(-32768), g.metadata().get("i16"));
            assertEquals(Long.valueOf(0xFFFF_FFFFL), g.metadata().get("u32"));
            assertEquals(Integer.valueOf(Integer.MIN_VALUE), g.metadata().get("i32"));
            assertEquals(Float.valueOf(-1.5e-5f), g.metadata().get("f32"));
            assertEquals(Boolean.TRUE, g.metadata().get("bool"));
            assertEquals("héllo ✓ 🩺", g.metadata().get("str"));
            assertEquals(Long.valueOf(-1L), g.metadata().get("u64"));
            assertEquals("18446744073709551615", Long.toUnsignedString(g.getLong("u64", 0)));
            assertEquals(Long.valueOf(Long.MIN_VALUE), g.metadata().get("i64"));
            assertEquals(Double.valueOf(Math.PI), g.metadata().get("f64"));
            assertEquals("", g.getString("empty"));
            for (GGUFValueType t : GGUFValueType.values()) {
                if (t != GGUFValueType.ARRAY) {
                    assertTrue(g.metadata().keySet().stream().anyMatch(k -> g.metadataType(k) == t), t.toString());
                }
            }
            assertEquals(GGUFValueType.UINT8, g.metadataType("u8"));
            assertEquals(GGUFValueType.UINT64, g.metadataType("u64"));
            assertNull(g.metadataType("absent"));
            assertTrue(g.tensors().isEmpty());
        }
    }

    @Test
    void everyArrayTypeAndNestedArraysRoundTrip() throws IOException {
        Object nested = new Object[] {
            new int[] {1, 2},
            new GGUFWriter.TypedArray(GGUFValueType.UINT8, new int[] {0, 255}),
            new Object[] {new String[] {"deep", ""}, new Object[] {new float[] {0.5f}}},
            new Object[0]
        };
        GGUFWriter w = new GGUFWriter()
                .putArray("a.u8", GGUFValueType.UINT8, new int[] {0, 7, 255})
                .putArray("a.i8", GGUFValueType.INT8, new int[] {-128, 127})
                .putArray("a.u16", GGUFValueType.UINT16, new int[] {65535})
                .putArray("a.i16", GGUFValueType.INT16, new int[] {-32768, 5})
                .putArray("a.u32", GGUFValueType.UINT32, new long[] {0xFFFF_FFFFL, 3})
                .putInt32Array("a.i32", new int[] {Integer.MAX_VALUE, -1})
                .putArray("a.u64", GGUFValueType.UINT64, new long[] {-1L})
                .putArray("a.i64", GGUFValueType.INT64, new long[] {Long.MAX_VALUE, Long.MIN_VALUE})
                .putFloat32Array("a.f32", new float[] {1f, Float.NaN, -0f})
                .putArray("a.f64", GGUFValueType.FLOAT64, new double[] {2.5, 1e300})
                .putArray("a.bool", GGUFValueType.BOOL, new boolean[] {true, false, true})
                .putStringArray("a.str", new String[] {"a", "", "ü"})
                .putInt32Array("a.empty", new int[0])
                .put("a.nested", GGUFValueType.ARRAY, nested);
        w.write(tmp.resolve("a.gguf"));
        try (GGUFFile g = GGUFFile.open(tmp.resolve("a.gguf"))) {
            assertArrayEquals(new int[] {0, 7, 255}, (int[]) g.metadata().get("a.u8"));
            assertArrayEquals(new int[] {-128, 127}, (int[]) g.metadata().get("a.i8"));
            assertArrayEquals(new int[] {65535}, (int[]) g.metadata().get("a.u16"));
            assertArrayEquals(new int[] {-32768, 5}, (int[]) g.metadata().get("a.i16"));
            assertArrayEquals(new long[] {0xFFFF_FFFFL, 3}, (long[]) g.metadata().get("a.u32"));
            assertArrayEquals(new int[] {Integer.MAX_VALUE, -1}, (int[]) g.metadata().get("a.i32"));
            assertArrayEquals(new long[] {-1L}, (long[]) g.metadata().get("a.u64"));
            assertArrayEquals(new long[] {Long.MAX_VALUE, Long.MIN_VALUE}, (long[]) g.metadata().get("a.i64"));
            float[] f = (float[]) g.metadata().get("a.f32");
            assertEquals(1f, f[0]);
            assertTrue(Float.isNaN(f[1]));
            assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(f[2]));
            assertArrayEquals(new double[] {2.5, 1e300}, (double[]) g.metadata().get("a.f64"));
            assertArrayEquals(new boolean[] {true, false, true}, (boolean[]) g.metadata().get("a.bool"));
            assertArrayEquals(new String[] {"a", "", "ü"}, (String[]) g.metadata().get("a.str"));
            assertArrayEquals(new int[0], g.getIntArray("a.empty"));
            for (String k : List.of("a.u8", "a.i8", "a.u16", "a.i16", "a.u32", "a.i32", "a.u64", "a.i64", "a.f32",
                    "a.f64", "a.bool", "a.str", "a.nested")) {
                assertEquals(GGUFValueType.ARRAY, g.metadataType(k));
            }
            assertEquals(GGUFValueType.UINT8, g.arrayElementType("a.u8"));
            assertEquals(GGUFValueType.UINT32, g.arrayElementType("a.u32"));
            assertEquals(GGUFValueType.ARRAY, g.arrayElementType("a.nested"));
            assertNull(g.arrayElementType("a.absent"));

            Object[] n = (Object[]) g.metadata().get("a.nested");
            assertEquals(4, n.length);
            assertArrayEquals(new int[] {1, 2}, (int[]) n[0]);
            assertArrayEquals(new int[] {0, 255}, (int[]) n[1]);
            Object[] level2 = (Object[]) n[2];
            assertArrayEquals(new String[] {"deep", ""}, (String[]) level2[0]);
            Object[] level3 = (Object[]) level2[1];
            assertArrayEquals(new float[] {0.5f}, (float[]) level3[0]);
            assertEquals(0, ((Object[]) n[3]).length);

            // Typed accessors widen compatible types and return copies.
            assertArrayEquals(new int[] {0, 7, 255}, g.getIntArray("a.u8"));
            assertArrayEquals(new int[] {-1}, g.getIntArray("a.u64")); // 2^64-1 wraps to -1
            assertThrows(ModelFormatException.class, () -> g.getIntArray("a.u32")); // 2^32-1 > int
            assertArrayEquals(new float[] {2.5f, Float.POSITIVE_INFINITY}, g.getFloatArray("a.f64"));
            assertArrayEquals(new float[] {0, 7, 255}, g.getFloatArray("a.u8"));
            g.getStringArray("a.str")[0] = "changed";
            assertEquals("a", g.getStringArray("a.str")[0]);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 8, 64, 4096})
    void customAlignmentPlacesDataAndEveryTensorOnIt(int alignment) throws IOException {
        Random random = new Random(alignment);
        byte[] a = randomBytes(random, 4 * 3);
        byte[] b = randomBytes(random, 2 * 5 * 2);
        byte[] c = randomBytes(random, 34 * 2);
        GGUFWriter w = new GGUFWriter().alignment(alignment).putString("general.architecture", "test")
                .addTensor("a", new long[] {3}, GGMLType.F32, TensorSource.of(a))
                .addTensor("b", new long[] {5, 2}, GGMLType.F16, TensorSource.of(b))
                .addTensor("c", new long[] {32, 1, 2, 1}, GGMLType.Q8_0, TensorSource.of(c));
        Path file = tmp.resolve("al.gguf");
        w.write(file);
        try (GGUFFile g = GGUFFile.open(file)) {
            assertEquals(alignment, g.alignment());
            assertEquals(GGUFValueType.UINT32, g.metadataType("general.alignment"));
            assertEquals(0, g.dataOffset() % alignment);
            long offset = 0;
            for (GGUFTensorInfo t : g.tensors()) {
                assertEquals(offset, t.offset());
                offset += (t.byteSize() + alignment - 1) / alignment * alignment;
            }
            assertEquals(g.dataOffset() + offset, Files.size(file));
            assertArrayEquals(a, g.tensorData(g.tensor("a")).toArray(ValueLayout.JAVA_BYTE));
            assertArrayEquals(b, g.tensorData(g.tensor("b")).toArray(ValueLayout.JAVA_BYTE));
            assertArrayEquals(c, g.tensorData(g.tensor("c")).toArray(ValueLayout.JAVA_BYTE));
            assertArrayEquals(new long[] {32, 1, 2, 1}, g.tensor("c").dims());
            assertEquals(2, g.tensor("c").rows());
            assertEquals(32, g.tensor("c").rowLength());
        }
    }

    /**
     * The strongest check that the writer follows the spec as llama.cpp does: rewriting a fixture (made by
     * llama-quantize or the Python gguf writer) from its parsed metadata and tensor data gives the same bytes.
     */
    @ParameterizedTest
    @ValueSource(strings = {"stories260K.gguf", "tiny-qwen2.Q4_K_M.gguf", "tiny-llama3rope.Q5_1.gguf",
        "tiny-qwen2-realvocab.Q8_0.gguf"})
    void rewritingAFixtureReproducesItByteForByte(String fixture) throws IOException {
        Path source = Fixtures.file("models/" + fixture);
        Path copy = tmp.resolve(fixture);
        try (GGUFFile g = GGUFFile.open(source)) {
            GGUFWriter w = new GGUFWriter().putAll(g);
            for (GGUFTensorInfo t : g.tensors()) {
                w.addTensor(t.name(), t.dims(), t.type(), TensorSource.of(g.tensorData(t)));
            }
            w.write(copy);
        }
        assertEquals(-1L, Files.mismatch(source, copy));
    }

    @Test
    void aSourceThatWritesTheWrongByteCountFailsAndLeavesNoFile() {
        Path file = tmp.resolve("bad.gguf");
        GGUFWriter tooFew = new GGUFWriter()
                .addTensor("t", new long[] {4}, GGMLType.F32, TensorSource.of(new byte[15]));
        IOException e = assertThrows(IOException.class, () -> tooFew.write(file));
        assertTrue(e.getMessage().contains("tensor 't'") && e.getMessage().contains("15 of the 16"),
                e.getMessage());
        GGUFWriter tooMany = new GGUFWriter()
                .addTensor("t", new long[] {4}, GGMLType.F32, TensorSource.of(new byte[17]));
        e = assertThrows(IOException.class, () -> tooMany.write(file));
        assertTrue(e.getMessage().contains("more than the 16 bytes"), e.getMessage());
        assertFalse(Files.exists(file));
        assertFalse(Files.exists(tmp.resolve("bad.gguf.partial")));
    }

    @Test
    void streamSourcesWork() throws IOException {
        Path file = tmp.resolve("s.gguf");
        new GGUFWriter().addTensor("t", new long[] {2}, GGMLType.F32, TensorSource.ofStream(out -> {
            out.write(new byte[] {0, 0, (byte) 0x80, 0x3f});
            out.write(0);
            out.write(new byte[] {0, 0, 0x40});
        })).write(file);
        try (GGUFFile g = GGUFFile.open(file)) {
            assertArrayEquals(new float[] {1f, 2f},
                    g.tensorData(g.tensor("t")).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED));
        }
    }

    @Test
    void largeTensorsStreamThroughUnbuffered() throws IOException {
        // 24 MiB: larger than the 8 MiB output buffer, so it takes the direct path; content must survive.
        byte[] data = randomBytes(new Random(7), 24 << 20);
        Path file = tmp.resolve("big.gguf");
        new GGUFWriter().putString("k", "v")
                .addTensor("small", new long[] {3}, GGMLType.I8, TensorSource.of(new byte[] {1, 2, 3}))
                .addTensor("big", new long[] {6 << 20}, GGMLType.F32, TensorSource.of(MemorySegment.ofArray(data)))
                .write(file);
        try (GGUFFile g = GGUFFile.open(file)) {
            assertEquals(-1L, g.tensorData(g.tensor("big")).mismatch(MemorySegment.ofArray(data)));
            assertArrayEquals(new byte[] {1, 2, 3}, g.tensorData(g.tensor("small")).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void putReplacesAnExistingKeyInPlace() throws IOException {
        Path file = tmp.resolve("r.gguf");
        new GGUFWriter().putString("a", "1").putString("b", "2").putInt32("a", 3).write(file);
        try (GGUFFile g = GGUFFile.open(file)) {
            assertEquals(List.of("a", "b"), List.copyOf(g.metadata().keySet()));
            assertEquals(3, g.getInt("a", 0));
        }
    }

    @Test
    void badValuesAreRejectedWhenPut() {
        GGUFWriter w = new GGUFWriter();
        assertThrows(IllegalArgumentException.class, () -> w.put("k", GGUFValueType.UINT8, 256));
        assertThrows(IllegalArgumentException.class, () -> w.put("k", GGUFValueType.INT8, -129));
        assertThrows(IllegalArgumentException.class, () -> w.put("k", GGUFValueType.UINT16, -1));
        assertThrows(IllegalArgumentException.class, () -> w.putUint32("k", 1L << 32));
        assertThrows(IllegalArgumentException.class, () -> w.put("k", GGUFValueType.INT32, 1L << 31));
        assertThrows(IllegalArgumentException.class, () -> w.put("k", GGUFValueType.INT32, 1.5f));
        assertThrows(IllegalArgumentException.class, () -> w.put("k", GGUFValueType.STRING, 1));
        assertThrows(IllegalArgumentException.class, () -> w.put("k", GGUFValueType.BOOL, "true"));
        assertThrows(IllegalArgumentException.class, () -> w.putArray("k", GGUFValueType.UINT8, new int[] {300}));
        assertThrows(IllegalArgumentException.class, () -> w.putArray("k", GGUFValueType.FLOAT32, new int[] {1}));
        assertThrows(IllegalArgumentException.class, () -> w.put("k", GGUFValueType.ARRAY, "not an array"));
        assertThrows(IllegalArgumentException.class, () -> w.alignment(24));
        assertThrows(IllegalArgumentException.class, () -> w.put("general.alignment", GGUFValueType.UINT32, 48));
    }

    @Test
    void badTensorsAreRejectedWhenAdded() {
        GGUFWriter w = new GGUFWriter();
        TensorSource none = out -> {};
        w.addTensor("t", new long[] {32}, GGMLType.F32, none);
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("t", new long[] {32}, GGMLType.F32, none));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("x".repeat(64), new long[] {1},
                GGMLType.F32, none));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("d0", new long[0], GGMLType.F32, none));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("d5", new long[] {1, 1, 1, 1, 1},
                GGMLType.F32, none));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("z", new long[] {0}, GGMLType.F32, none));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("q", new long[] {48, 2}, GGMLType.Q4_0,
                none));
        assertThrows(ArithmeticException.class, () -> w.addTensor("o", new long[] {1L << 40, 1L << 40},
                GGMLType.F32, none));
        // A rejected name can still be used correctly afterwards.
        w.addTensor("q", new long[] {64, 2}, GGMLType.Q4_0, none);
        // 32 F32 = 128 bytes; 2 rows of 2 Q4_0 blocks = 72 bytes, padded to 96.
        assertEquals(128 + 96, w.dataSize());
    }

    @Test
    void accessorsConvertCompatibleTypesAndNameTheKeyOtherwise() throws IOException {
        Path file = tmp.resolve("acc.gguf");
        new GGUFWriter().putUint32("u32", 7).putUint64("big", 1L << 40).putInt32("i32", -3)
                .putString("s", "x").putFloat32("f", 0.25f).put("d", GGUFValueType.FLOAT64, 0.5)
                .putBool("b", true).putArray("ul", GGUFValueType.UINT32, new long[] {1, 2})
                .putArray("big.arr", GGUFValueType.INT64, new long[] {1L << 40}).write(file);
        try (GGUFFile g = GGUFFile.open(file)) {
            assertEquals(7, g.getInt("u32", 0));
            assertEquals(7L, g.getLong("u32", 0));
            assertEquals(-3L, g.getLong("i32", 0));
            assertEquals(7f, g.getFloat("u32", 0));
            assertEquals(0.5f, g.getFloat("d", 0));
            assertEquals(42, g.getInt("absent", 42));
            assertEquals("dflt", g.getString("absent", "dflt"));
            assertTrue(g.getBoolean("absent", true));
            assertNull(g.getStringArray("absent"));
            assertNull(g.getIntArray("absent"));
            assertNull(g.getFloatArray("absent"));
            assertArrayEquals(new int[] {1, 2}, g.getIntArray("ul"));
            assertInstanceOf(Long.class, g.metadata().get("u32"));

            assertWrongType(() -> g.getInt("big", 0), "'big'", "does not fit in an int");
            assertWrongType(() -> g.getInt("s", 0), "'s'", "STRING");
            assertWrongType(() -> g.getInt("f", 0), "'f'", "FLOAT32");
            assertWrongType(() -> g.getString("u32"), "'u32'", "UINT32");
            assertWrongType(() -> g.getBoolean("u32", false), "'u32'", "expected a bool");
            assertWrongType(() -> g.getFloat("b", 0), "'b'", "BOOL");
            assertWrongType(() -> g.getStringArray("ul"), "'ul'", "an array of UINT32");
            assertWrongType(() -> g.getIntArray("big.arr"), "'big.arr'", "does not fit in an int");
            assertWrongType(() -> g.getFloatArray("s"), "'s'", "STRING");
            assertWrongType(() -> g.getIntArray("u32"), "'u32'", "expected an array");
        }
    }

    private void assertWrongType(Runnable r, String... parts) {
        ModelFormatException e = assertThrows(ModelFormatException.class, r::run);
        assertTrue(e.getMessage().startsWith(tmp.resolve("acc.gguf").toString()), e.getMessage());
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), e.getMessage() + " should mention " + p);
        }
    }

    @Test
    void closeIsIdempotentAndUnmaps() throws IOException {
        Path file = tmp.resolve("c.gguf");
        new GGUFWriter().addTensor("t", new long[] {1}, GGMLType.F32, TensorSource.of(new byte[4])).write(file);
        GGUFFile g = GGUFFile.open(file);
        MemorySegment data = g.tensorData(g.tensor("t"));
        g.close();
        g.close();
        assertThrows(IllegalStateException.class, () -> data.get(ValueLayout.JAVA_BYTE, 0));
    }

    private static byte[] randomBytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
