package org.aloe4j.merge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.aloe4j.Fixtures;
import org.aloe4j.formats.safetensors.SafeTensor;
import org.aloe4j.formats.safetensors.SafeTensorsDType;
import org.aloe4j.formats.safetensors.SafeTensorsModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Merges the tiny Qwen2 fixture ({@code hf/tiny-qwen2}, BF16, one file) with perturbed copies made here (seeded noise
 * on every tensor, written sharded), then checks the output directory file by file and the merged values of
 * several tensors against a float64 re-computation written in this test.
 */
class MergeFixtureTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    static Path base;
    static Path model1;
    static Path model2;

    @BeforeAll
    static void makeInputs() throws IOException {
        base = Fixtures.file("hf/tiny-qwen2");
        model1 = perturbedCopy(base, tmp.resolve("tuned-1"), 1, 0.01f);
        model2 = perturbedCopy(base, tmp.resolve("tuned-2"), 2, 0.02f);
    }

    /** The base plus Gaussian noise of deviation {@code sigma} on every element, written as 1 MB BF16 shards. */
    static Path perturbedCopy(Path from, Path to, long seed, float sigma) throws IOException {
        Map<String, TestModels.Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, TestModels.Tensor> e : TestModels.readAll(from).entrySet()) {
            Random rnd = new Random(seed * 1_000_003 ^ e.getKey().hashCode());
            float[] v = e.getValue().values().clone();
            for (int i = 0; i < v.length; i++) {
                v[i] += sigma * (float) rnd.nextGaussian();
            }
            tensors.put(e.getKey(), new TestModels.Tensor(e.getValue().shape(), v));
        }
        TestModels.writeWeights(to, tensors, SafeTensorsDType.BF16, 1_000_000);
        TestModels.copyNonWeightFiles(from, to);
        assertTrue(Files.exists(to.resolve(SafeTensorsModel.INDEX_FILE)), "the inputs are sharded");
        return to;
    }

    static String daresTiesYaml() {
        return """
                models:
                  - model: %s
                  - model: %s
                    parameters:
                      density: 0.5
                      weight: 0.6
                  - model: %s
                    parameters:
                      density: 0.7
                      weight: 0.4
                merge_method: dare_ties
                base_model: %s
                parameters:
                  normalize: true
                  int8_mask: true
                dtype: bfloat16
                tokenizer_source: base
                """.formatted(base, model1, model2, base);
    }

    static MergeOptions options() {
        return MergeOptions.defaults().withSeed(7).withThreads(2).withMaxShardBytes(1_000_000).withChunkElements(4096)
                .withLog(line -> {});
    }

    @Test
    void dareTiesMergeIsAValidHuggingFaceDirectoryWithTheExpectedValues() throws IOException {
        MergeConfig config = MergeConfig.parse(daresTiesYaml());
        Path out = tmp.resolve("merged-dare-ties");
        MergeResult result = Merger.merge(config, out, options());
        assertEquals(out, result.outputDir());

        // the files of a Hugging Face directory, and nothing half-written
        List<String> files = TestModels.list(out);
        for (String f : List.of("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json",
                "README.md", "mergekit_config.yml", "model.safetensors.index.json")) {
            assertTrue(files.contains(f), f + " in " + files);
        }
        List<String> shards = files.stream().filter(f -> f.endsWith(".safetensors")).toList();
        assertTrue(shards.size() >= 2, "sharded output: " + shards);
        assertTrue(files.stream().noneMatch(f -> f.contains("partial")), files.toString());
        assertEquals(files.size(), shards.size() + 7);
        assertFalse(TestModels.list(tmp).stream().anyMatch(f -> f.contains("partial")), "no temporary directory left");

        // config and tokenizer copied from the base (torch_dtype is bfloat16 in both)
        assertEquals(JSON.readTree(base.resolve("config.json").toFile()), JSON.readTree(out.resolve("config.json").toFile()));
        for (String f : List.of("tokenizer.json", "tokenizer_config.json", "generation_config.json")) {
            assertEquals(-1, Files.mismatch(base.resolve(f), out.resolve(f)), f);
        }

        // the index names every tensor once, in a shard that holds it, and the total size
        JsonNode index = JSON.readTree(out.resolve("model.safetensors.index.json").toFile());
        Set<String> baseNames;
        long expectedBytes = 0;
        try (SafeTensorsModel b = SafeTensorsModel.open(base)) {
            baseNames = new TreeSet<>(b.names());
            for (SafeTensor t : b.tensors()) {
                expectedBytes += t.elements() * 2;
            }
        }
        Set<String> indexed = new TreeSet<>();
        index.get("weight_map").properties().forEach(e -> {
            indexed.add(e.getKey());
            assertTrue(shards.contains(e.getValue().textValue()), e.toString());
        });
        assertEquals(baseNames, indexed);
        assertEquals(expectedBytes, index.get("metadata").get("total_size").asLong());
        assertEquals(expectedBytes, result.dataBytes());

        // the README records the merge
        String readme = Files.readString(out.resolve("README.md"));
        assertTrue(readme.contains("`dare_ties`"), readme);
        assertTrue(readme.contains("Seed: 7"), readme);
        assertTrue(readme.contains(config.yaml().strip()), readme);
        assertTrue(readme.contains(model2.toString()), readme);
        assertEquals(config.yaml(), Files.readString(out.resolve("mergekit_config.yml")));

        // merged values, re-computed here in float64 from the inputs and the DARE masks
        Map<String, TestModels.Tensor> b = TestModels.readAll(base);
        Map<String, TestModels.Tensor> x1 = TestModels.readAll(model1);
        Map<String, TestModels.Tensor> x2 = TestModels.readAll(model2);
        try (SafeTensorsModel merged = SafeTensorsModel.open(out)) {
            assertEquals(baseNames, new TreeSet<>(merged.names()));
            for (String name : List.of("model.layers.0.self_attn.q_proj.bias", "model.layers.1.mlp.down_proj.weight",
                    "model.embed_tokens.weight", "model.norm.weight", "lm_head.weight")) {
                SafeTensor t = merged.tensor(name);
                assertEquals(SafeTensorsDType.BF16, t.dtype(), name);
                assertArrayEquals(b.get(name).shape(), t.shape(), name);
                double[] expected = dareTiesReference(name, b.get(name).values(), x1.get(name).values(),
                        x2.get(name).values(), 7);
                assertCloseToBf16(name, b.get(name).values(), expected, TestModels.floats(t));
            }
        }
    }

    /**
     * DARE-TIES as mergekit defines it: models 1 and 2 (their index in 'models'), densities 0.5 and 0.7, weights 0.6
     * and 0.4, kept deltas divided by the density, the sign of the weighted sum elected, the disjoint normalized mean.
     * The weighted deltas and the sign election are computed as torch does them on float32 tensors (a sum of two
     * nearly opposite deltas can have either sign depending on the precision); the mean in float64.
     */
    static double[] dareTiesReference(String name, float[] base, float[] x1, float[] x2, long seed) {
        float[] w = {0.6f, 0.4f};
        double[] density = {0.5, 0.7};
        long[] keys = {DareMask.streamKey(seed, name, 1), DareMask.streamKey(seed, name, 2)};
        float[][] xs = {x1, x2};
        double[] out = new double[base.length];
        for (int e = 0; e < base.length; e++) {
            float[] wd = new float[2];
            float sum = 0;
            for (int i = 0; i < 2; i++) {
                float d = xs[i][e] - base[e];
                boolean kept = DareMask.uniformBits(keys[i], e) * 0x1p-32 < density[i];
                wd[i] = kept ? d / (float) density[i] * w[i] : 0;
                sum += wd[i];
            }
            double sign = sum >= 0 ? 1 : -1;
            double mix = 0;
            double div = 0;
            for (int i = 0; i < 2; i++) {
                if (Math.signum(wd[i]) == sign) {
                    mix += wd[i];
                    div += w[i];
                }
            }
            out[e] = base[e] + (div == 0 ? mix : mix / div);
        }
        return out;
    }

    /**
     * The merge computes in float32 and rounds to BF16, the reference in float64. Float32 arithmetic on operands of
     * size {@code |base|} errs by a few float32 steps of that size; so the merged value must be the reference rounded
     * to BF16, or differ from the reference by at most half a BF16 step plus that error (a reference next to a BF16
     * rounding midpoint, or a sum that cancels); the first case must be the rule.
     */
    static void assertCloseToBf16(String name, float[] base, double[] expected, float[] actual) {
        int exact = 0;
        for (int e = 0; e < expected.length; e++) {
            float ref = TestModels.roundToBf16((float) expected[e]);
            if (ref == actual[e]) {
                exact++;
                continue;
            }
            double float32Error = 8 * Math.ulp(Math.max(Math.abs(base[e]), (float) Math.abs(expected[e])));
            assertEquals(expected[e], actual[e], TestModels.bf16Ulp(ref) / 2 + float32Error,
                    name + " element " + e + ": reference " + expected[e] + ", merged " + actual[e]);
        }
        assertTrue(exact >= expected.length * 0.99, name + ": " + exact + " of " + expected.length + " exact");
    }

    @Test
    void outputDoesNotDependOnThreadsOrChunkingButOnTheSeed() throws IOException {
        MergeConfig config = MergeConfig.parse(daresTiesYaml());
        Path a = tmp.resolve("det-1-thread");
        Path b = tmp.resolve("det-3-threads");
        Path c = tmp.resolve("det-other-seed");
        Merger.merge(config, a, options().withThreads(1).withChunkElements(1000));
        Merger.merge(config, b, options().withThreads(3).withChunkElements(1 << 16));
        Merger.merge(config, c, options().withSeed(8));
        List<String> shards = TestModels.list(a).stream().filter(f -> f.endsWith(".safetensors")).toList();
        assertEquals(shards, TestModels.list(b).stream().filter(f -> f.endsWith(".safetensors")).toList());
        for (String f : shards) {
            assertEquals(-1, Files.mismatch(a.resolve(f), b.resolve(f)), f);
        }
        assertNotEquals(-1, Files.mismatch(a.resolve(shards.get(0)), c.resolve(shards.get(0))));
    }

    @Test
    void tiesOnTheFixtureKeepsTheLargestDeltas() throws IOException {
        MergeConfig config = MergeConfig.parse("""
                merge_method: ties
                base_model: %s
                models:
                  - model: %s
                    parameters: {weight: 1.0, density: 0.3}
                  - model: %s
                    parameters: {weight: 0.5, density: 0.6}
                dtype: float32
                """.formatted(base, model1, model2));
        Path out = tmp.resolve("merged-ties");
        Merger.merge(config, out, options());
        Map<String, TestModels.Tensor> b = TestModels.readAll(base);
        Map<String, TestModels.Tensor> x1 = TestModels.readAll(model1);
        Map<String, TestModels.Tensor> x2 = TestModels.readAll(model2);
        assertEquals("float32", JSON.readTree(out.resolve("config.json").toFile()).get("torch_dtype").asText());
        try (SafeTensorsModel merged = SafeTensorsModel.open(out)) {
            for (String name : List.of("model.layers.0.self_attn.k_proj.weight", "model.layers.1.input_layernorm.weight")) {
                float[] bv = b.get(name).values();
                double[] t1 = trimmedBySorting(bv, x1.get(name).values(), 0.3);
                double[] t2 = trimmedBySorting(bv, x2.get(name).values(), 0.6);
                float[] actual = TestModels.floats(merged.tensor(name));
                assertEquals(SafeTensorsDType.F32, merged.tensor(name).dtype());
                int changed = 0;
                for (int e = 0; e < bv.length; e++) {
                    double wd1 = t1[e];
                    double wd2 = t2[e] * 0.5;
                    double sign = wd1 + wd2 >= 0 ? 1 : -1;
                    double mix = 0;
                    double div = 0;
                    if (Math.signum(wd1) == sign) {
                        mix += wd1;
                        div += 1;
                    }
                    if (Math.signum(wd2) == sign) {
                        mix += wd2;
                        div += 0.5;
                    }
                    double expected = bv[e] + (div == 0 ? 0 : mix / div);
                    assertEquals(expected, actual[e], 2e-7 * Math.max(1, Math.abs(expected)), name + " element " + e);
                    changed += actual[e] != bv[e] ? 1 : 0;
                }
                assertTrue(changed > bv.length * 0.3, name + ": " + changed + " elements changed");
            }
        }
    }

    /** TIES' trim by a full sort: the int(density * n) largest |delta| (ties by index) kept. */
    static double[] trimmedBySorting(float[] base, float[] x, double density) {
        int n = base.length;
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = x[i] - base[i]; // exact in float64 (and in float32) for BF16 inputs
        }
        Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -Math.abs(d[i])).thenComparingInt(i -> i));
        double[] out = new double[n];
        long k = (long) (density * n);
        for (int r = 0; r < k; r++) {
            out[order[r]] = d[order[r]];
        }
        return out;
    }

    @Test
    void linearWithOneModelAtWeightOneCopiesItExactly() throws IOException {
        MergeConfig config = MergeConfig.parse("""
                merge_method: linear
                models:
                  - model: %s
                    parameters: {weight: 1.0}
                """.formatted(model1));
        Path out = tmp.resolve("merged-linear-identity");
        Merger.merge(config, out, options());
        assertSameTensorBytes(model1, out);
    }

    @Test
    void taskArithmeticWithWeightZeroReturnsTheBase() throws IOException {
        MergeConfig config = MergeConfig.parse("""
                merge_method: task_arithmetic
                base_model: %s
                models:
                  - model: %s
                    parameters: {weight: 0.0}
                """.formatted(base, model1));
        Path out = tmp.resolve("merged-ta-zero");
        Merger.merge(config, out, options());
        assertSameTensorBytes(base, out);
    }

    static void assertSameTensorBytes(Path expectedDir, Path actualDir) {
        try (SafeTensorsModel e = SafeTensorsModel.open(expectedDir); SafeTensorsModel a = SafeTensorsModel.open(actualDir)) {
            assertEquals(new TreeSet<>(e.names()), new TreeSet<>(a.names()));
            List<String> differing = new ArrayList<>();
            for (SafeTensor t : e.tensors()) {
                SafeTensor u = a.tensor(t.name());
                assertEquals(t.dtype(), u.dtype(), t.name());
                assertArrayEquals(t.shape(), u.shape(), t.name());
                if (t.data().mismatch(u.data()) != -1) {
                    differing.add(t.name());
                }
            }
            assertEquals(List.of(), differing);
        }
    }
}
