package org.aloe4j.tensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.aloe4j.formats.gguf.GGMLType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TensorDotTest {

    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1",
        "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void dotMatchesReferenceOnRandomRows(GGMLType type) {
        double worst = DotChecks.checkRandomRows(type, 42);
        System.out.printf("%s: worst |dot - reference| / tolerance = %.3g (lanes %d)%n", type, worst, Simd.LANES);
    }

    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1",
        "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void dotWithUnitVectorsPicksEachWeight(GGMLType type) {
        DotChecks.checkOneHot(type, 3);
    }

    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1",
        "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void getAgreesWithDequantizeRow(GGMLType type) {
        int cols = 2 * Math.max(type.blockSize, 16);
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = RandomTensors.create(type, 3, cols, 5, arena);
            float[] row = new float[cols + 2];
            t.dequantizeRow(2, row, 2);
            for (int j = 0; j < cols; j++) {
                assertEquals(Float.floatToRawIntBits(row[2 + j]), Float.floatToRawIntBits(t.get(2, j)),
                        type + " col " + j);
            }
        }
    }

    /** The prefill kernel's vector decoders: every block range of a row, bit for bit the reference values. */
    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1",
        "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void dequantizeBlocksIsBitIdenticalToDequantizeRow(GGMLType type) {
        DotChecks.checkDequantizeBlocks(type, 21);
    }

    /** The batched kernel: for 1..9 activation rows, each result bit for bit that of {@link Tensor#dot}. */
    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1",
        "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void dotRowsIsBitIdenticalToDotPerRow(GGMLType type) {
        DotChecks.checkDotRows(type, 23);
    }

    /** The integer kernels (8-bit activations, exact block sums) against a float64 reference. */
    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void integerKernelMatchesReferenceOnRandomRows(GGMLType type) {
        double worst = DotChecks.checkQuantizedRandomRows(type, 42);
        System.out.printf("%s integer kernel: worst |dot - reference| / tolerance = %.3g%n", type, worst);
        DotChecks.checkQuantizedOneHot(type, 3);
    }

    @ParameterizedTest
    @EnumSource(value = GGMLType.class, names = {"Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    void integerKernelIsTheSameAloneBatchedAndThroughMatMul(GGMLType type) {
        DotChecks.checkQuantizedRows(type, 23);
    }

    /** The all-at-once unpacking of the K-quant 6-bit scales and mins equals the per-sub-block one, for any bytes. */
    @Test
    void packedKScalesUnpackAllAtOnceAsOneByOne() {
        java.util.Random random = new java.util.Random(17);
        for (int n = 0; n < 10_000; n++) {
            long low = random.nextLong();
            int high = random.nextInt();
            long scales = KScales.scales(low, high), mins = KScales.mins(low, high);
            for (int j = 0; j < 8; j++) {
                assertEquals(KScales.scale(low, high, j), (int) (scales >>> (8 * j)) & 0xFF, "scale " + j);
                assertEquals(KScales.min(low, high, j), (int) (mins >>> (8 * j)) & 0xFF, "min " + j);
            }
        }
    }

    @Test
    void integerKernelsNameTheActivationFormatTheyNeed() {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = RandomTensors.create(GGMLType.Q4_0, 2, 256, 5, arena);
            QuantizedActivations a = new QuantizedActivations()
                    .quantize(ActivationFormat.Q8_K, RandomTensors.randomVector(256, 1), 1, 256);
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> t.dotQuantized(0, a, 0));
            assertTrue(e.getMessage().contains("Q8_0") && e.getMessage().contains("Q8_K"), e.getMessage());
            assertThrows(IndexOutOfBoundsException.class,
                    () -> t.dotQuantized(0, new QuantizedActivations().quantize(ActivationFormat.Q8_0,
                            new float[256], 1, 256), 1));
            assertThrows(UnsupportedOperationException.class,
                    () -> RandomTensors.create(GGMLType.Q5_K, 1, 256, 5, arena).dotQuantized(0, a, 0));
        }
    }

    @Test
    void dotRowsRejectsActivationRowsOutsideTheArray() {
        try (Arena arena = Arena.ofConfined()) {
            for (GGMLType type : new GGMLType[] {GGMLType.Q8_0, GGMLType.Q4_1}) {
                Tensor t = RandomTensors.create(type, 2, 64, 5, arena);
                float[] x = new float[3 * 64];
                float[] out = new float[3];
                assertThrows(IndexOutOfBoundsException.class,
                        () -> t.dotRows(0, x, 1, 64, 3, out, 0, 1));
                assertThrows(IndexOutOfBoundsException.class,
                        () -> t.dotRows(0, x, 0, 64, 3, out, 1, 1));
                assertThrows(IndexOutOfBoundsException.class,
                        () -> t.dotRows(2, x, 0, 64, 3, out, 0, 1));
            }
        }
    }

    @Test
    void rowPairKernelRejectsBadArgumentsBeforeWritingAnything() {
        try (Arena arena = Arena.ofConfined()) {
            for (GGMLType type : DotChecks.INTEGER_TYPES) {
                int cols = 256;
                Tensor t = RandomTensors.create(type, 3, cols, 5, arena);
                QuantizedActivations a = new QuantizedActivations()
                        .quantize(t.integerActivations(), RandomTensors.randomVector(4 * cols, 1), 4, cols);
                float[] out = new float[16];
                Arrays.fill(out, Float.NaN);
                IndexOutOfBoundsException last = assertThrows(
                        IndexOutOfBoundsException.class, () -> t.dotRowPairQuantized(2, a, 0, 4, out, 0, 2));
                assertTrue(last.getMessage().contains("row 3"), last.getMessage());
                assertThrows(IndexOutOfBoundsException.class,
                        () -> t.dotRowPairQuantized(-1, a, 0, 4, out, 0, 2));
                assertThrows(IllegalArgumentException.class,
                        () -> t.dotRowPairQuantized(0, a, 0, -1, out, 0, 2));
                assertThrows(IndexOutOfBoundsException.class,
                        () -> t.dotRowPairQuantized(0, a, 1, 4, out, 0, 2)); // activation rows 1..4 of 4
                assertThrows(IndexOutOfBoundsException.class,
                        () -> t.dotRowPairQuantized(0, a, 0, 4, out, 10, 2)); // last output at 17 of 16
                ActivationFormat other = t.integerActivations() == ActivationFormat.Q8_0 ? ActivationFormat.Q8_K
                        : ActivationFormat.Q8_0;
                QuantizedActivations wrong = new QuantizedActivations()
                        .quantize(other, RandomTensors.randomVector(cols, 1), 1, cols);
                IllegalArgumentException e = assertThrows(
                        IllegalArgumentException.class, () -> t.dotRowPairQuantized(0, wrong, 0, 1, out, 0, 2));
                assertTrue(e.getMessage().contains(other.name()), e.getMessage());
                for (float v : out) {
                    assertTrue(Float.isNaN(v), type + ": a rejected call wrote " + v);
                }
            }
        }
    }

    @Test
    void halfToFloatVectorMatchesFloat16ToFloatForAllBitPatterns() {
        if (!Simd.ENABLED) {
            return;
        }
        short[] halves = new short[1 << 16];
        for (int i = 0; i < halves.length; i++) {
            halves[i] = (short) i;
        }
        float[] out = new float[Simd.LANES];
        for (int i = 0; i < halves.length; i += Simd.LANES) {
            Simd.halfToFloat(jdk.incubator.vector.ShortVector.fromArray(Simd.S, halves, i)).intoArray(out, 0);
            for (int l = 0; l < Simd.LANES; l++) {
                int expected = Float.floatToRawIntBits(Float.float16ToFloat(halves[i + l]));
                assertEquals(expected, Float.floatToRawIntBits(out[l]), "half bits 0x" + Integer.toHexString(i + l));
            }
        }
    }

    /** The kernels at the vector widths this JVM did not choose (256/512 bits) and the scalar path, in a child JVM. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {0, 256, 512})
    void otherVectorWidthsPass(int bits) throws Exception {
        if (bits == Simd.BITS) {
            return; // the tests above already ran this width
        }
        List<String> command = new ArrayList<>();
        command.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        command.add("--add-modules");
        command.add("jdk.incubator.vector");
        command.add("-Daloe.vector.bits=" + bits);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(KernelShapesMain.class.getName());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        boolean finished = process.waitFor(5, TimeUnit.MINUTES);
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!finished) {
            process.destroyForcibly();
        }
        System.out.println(output);
        assertTrue(finished, "child JVM timed out");
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("vector bits " + bits), output);
        assertTrue(output.contains("Q6_K ok"), output);
    }
}
