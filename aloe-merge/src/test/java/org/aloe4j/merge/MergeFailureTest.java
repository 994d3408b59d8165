package org.aloe4j.merge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aloe4j.formats.safetensors.SafeTensorsDType;
import org.aloe4j.formats.safetensors.SafeTensorsModel;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs that do not fit together stop the merge with a message naming the tensor and the model, and leave nothing
 * behind: no temporary directory, no target.
 */
class MergeFailureTest {
    @TempDir
    Path tmp;
    Path work;
    Path base;

    static Map<String, TestModels.Tensor> tensors(float offset) {
        Map<String, TestModels.Tensor> t = new LinkedHashMap<>();
        t.put("model.embed_tokens.weight", tensor(offset, 8, 4));
        t.put("model.layers.0.mlp.up_proj.weight", tensor(offset, 6, 4));
        t.put("model.norm.weight", tensor(offset, 4));
        return t;
    }

    static TestModels.Tensor tensor(float offset, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = offset + i * 0.125f;
        }
        return new TestModels.Tensor(shape, v);
    }

    Path model(String name, Map<String, TestModels.Tensor> tensors, SafeTensorsDType dtype) throws IOException {
        Path dir = tmp.resolve("inputs").resolve(name);
        TestModels.writeWeights(dir, tensors, dtype, 1 << 20);
        TestModels.writeMinimalNonWeightFiles(dir, 1, 8);
        return dir;
    }

    @BeforeEach
    void makeBase() throws IOException {
        base = model("base", tensors(0), SafeTensorsDType.BF16);
        work = Files.createDirectories(tmp.resolve("work"));
    }

    MergeConfig tiesOf(Path... models) {
        StringBuilder sb = new StringBuilder("merge_method: ties\nbase_model: " + base + "\nmodels:\n");
        for (Path m : models) {
            sb.append("  - model: ").append(m).append("\n    parameters: {weight: 1.0, density: 0.5}\n");
        }
        return MergeConfig.parse(sb.toString());
    }

    void assertFailsCleanly(MergeConfig config, String... expectedInMessage) throws IOException {
        assertFailsCleanly(config, name -> {}, expectedInMessage);
    }

    void assertFailsCleanly(MergeConfig config, Merger.TensorHook hook, String... expectedInMessage)
            throws IOException {
        Path out = work.resolve("merged");
        MergeException e = assertThrows(MergeException.class,
                () -> Merger.merge(config, out, MergeOptions.defaults().withThreads(2).withLog(l -> {}), hook));
        for (String s : expectedInMessage) {
            assertTrue(e.getMessage().contains(s), "'" + s + "' in: " + e.getMessage());
        }
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertFalse(Files.exists(out), "target not created");
        assertEquals(List.of(), TestModels.list(work), "nothing left in the output's folder");
    }

    @Test
    void shapeMismatchNamesTheTensor() throws IOException {
        Map<String, TestModels.Tensor> t = tensors(1);
        t.put("model.layers.0.mlp.up_proj.weight", tensor(1, 4, 6));
        Path odd = model("odd-shape", t, SafeTensorsDType.BF16);
        assertFailsCleanly(tiesOf(odd), "model.layers.0.mlp.up_proj.weight", "shape [4, 6]", "[6, 4]", odd.toString());
    }

    @Test
    void dtypeMismatchNamesTheTensor() throws IOException {
        Map<String, TestModels.Tensor> t = tensors(1);
        Map<String, SafeTensorsDType> types = new LinkedHashMap<>();
        t.keySet().forEach(k -> types.put(k, SafeTensorsDType.BF16));
        types.put("model.norm.weight", SafeTensorsDType.F32);
        Path odd = tmp.resolve("inputs").resolve("odd-dtype");
        TestModels.writeWeights(odd, t, types, 1 << 20);
        TestModels.writeMinimalNonWeightFiles(odd, 1, 8);
        assertFailsCleanly(tiesOf(odd), "model.norm.weight", "dtype F32", "BF16");
    }

    @Test
    void missingTensorNamesIt() throws IOException {
        Map<String, TestModels.Tensor> t = tensors(1);
        t.remove("model.norm.weight");
        Path lacking = model("lacking", t, SafeTensorsDType.BF16);
        assertFailsCleanly(tiesOf(lacking), "has no tensor 'model.norm.weight'", lacking.toString());
    }

    @Test
    void tensorTheBaseLacksIsRefused() throws IOException {
        Map<String, TestModels.Tensor> t = tensors(1);
        t.put("model.layers.0.mlp.extra.weight", tensor(1, 2));
        Path extra = model("extra", t, SafeTensorsDType.BF16);
        assertFailsCleanly(tiesOf(extra), "model.layers.0.mlp.extra.weight", "not in the base model");
    }

    @Test
    void missingWeightParameterNamesTheModelAndTensor() throws IOException {
        Path m = model("m", tensors(1), SafeTensorsDType.BF16);
        MergeConfig c = MergeConfig.parse("merge_method: task_arithmetic\nbase_model: " + base + "\nmodels:\n  - model: "
                + m + "\n");
        assertFailsCleanly(c, "no 'weight'", "model.embed_tokens.weight");
    }

    @Test
    void missingModelDirectoryIsNamed() throws IOException {
        assertFailsCleanly(tiesOf(tmp.resolve("nowhere")), "nowhere", "no such directory");
    }

    @Test
    void failureWhileWritingRemovesTheTemporaryDirectory() throws IOException {
        Path m = model("m", tensors(1), SafeTensorsDType.BF16);
        List<String> seen = new ArrayList<>();
        assertFailsCleanly(tiesOf(m), name -> {
            seen.add(name);
            // by now the temporary directory exists and holds a partly written shard
            try (var s = Files.list(work)) {
                assertEquals(1, s.count());
            }
            if (seen.size() == 2) {
                throw new IOException("disk full (injected)");
            }
        }, "disk full (injected)");
        assertEquals(2, seen.size());
    }

    @Test
    void existingOutputIsNotOverwritten() throws IOException {
        Path m = model("m", tensors(1), SafeTensorsDType.BF16);
        Path out = Files.createDirectories(work.resolve("merged"));
        MergeException e = assertThrows(MergeException.class,
                () -> Merger.merge(tiesOf(m), out, MergeOptions.defaults().withLog(l -> {})));
        assertTrue(e.getMessage().contains("already exists"), e.getMessage());
        assertEquals(List.of(), TestModels.list(out));
    }

    @Test
    void largerVocabularyEmbeddingIsCutToTheBaseAsMergekitDoes() throws IOException {
        Map<String, TestModels.Tensor> t = tensors(1);
        t.put("model.embed_tokens.weight", tensor(1, 10, 4)); // 2 extra vocabulary rows
        Path bigger = model("bigger-vocab", t, SafeTensorsDType.BF16);
        MergeConfig c = MergeConfig.parse("merge_method: task_arithmetic\nbase_model: " + base + "\nmodels:\n  - model: "
                + bigger + "\n    parameters: {weight: 1.0}\n");
        List<String> log = new ArrayList<>();
        Path out = work.resolve("merged");
        MergeResult r = Merger.merge(c, out, MergeOptions.defaults().withLog(log::add));
        assertEquals(1, r.warnings().size());
        assertTrue(log.get(0).contains("model.embed_tokens.weight"), log.toString());
        try (SafeTensorsModel merged = SafeTensorsModel.open(out)) {
            assertArrayEquals(new long[] {8, 4}, merged.tensor("model.embed_tokens.weight").shape());
            // base + 1.0 * (model - base) = the model's first 8 rows: 1 + i/8
            float[] v = TestModels.floats(merged.tensor("model.embed_tokens.weight"));
            for (int i = 0; i < v.length; i++) {
                assertEquals(TestModels.roundToBf16(1 + i * 0.125f), v[i], "element " + i);
            }
        }
    }

    @Test
    void otherShapeMismatchOfEmbeddingsIsRefused() throws IOException {
        Map<String, TestModels.Tensor> t = tensors(1);
        t.put("model.embed_tokens.weight", tensor(1, 6, 4)); // smaller than the base's 8 rows
        Path smaller = model("smaller-vocab", t, SafeTensorsDType.BF16);
        assertFailsCleanly(tiesOf(smaller), "model.embed_tokens.weight", "shape [6, 4]");
    }
}
