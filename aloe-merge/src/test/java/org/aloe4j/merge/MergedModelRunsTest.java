package org.aloe4j.merge;

import org.aloe4j.ReferenceLogits;
import static org.aloe4j.ReferenceLogits.ints;
import static org.aloe4j.ReferenceLogits.doubles;
import static org.aloe4j.ReferenceLogits.argmax;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.aloe4j.Fixtures;
import org.aloe4j.formats.safetensors.SafeTensorsDType;
import org.aloe4j.generation.ChatMessage;
import org.aloe4j.generation.ChatRequest;
import org.aloe4j.generation.FinishReason;
import org.aloe4j.generation.GenerationResult;
import org.aloe4j.generation.LocalModel;
import org.aloe4j.generation.SamplingSettings;
import org.aloe4j.model.KVCache;
import org.aloe4j.model.LoadedModel;
import org.aloe4j.model.ModelLoader;
import org.aloe4j.model.Transformer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The merged directories are models that aloe4j loads and runs: {@link ModelLoader} and the transformer on the two
 * Hugging Face fixtures ({@code hf/tiny-qwen2}, Qwen2 with q/k/v biases; {@code hf/tiny-llama}, Llama with Llama-3.1
 * rope scaling in config.json) merged with copies of themselves, and {@link LocalModel} generating with the tokenizer
 * the merge copied. What the merged values must be is checked element by element in {@link MergeFixtureTest}; here
 * the whole model is run.
 *
 * <p>Tolerance of the logits against the fixture references: 2e-5, as in aloe-core's FixtureLogitsTest for the same
 * directories (llama.cpp's reference vs our float32 forward; the weights are bit-identical).
 */
class MergedModelRunsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double REFERENCE_TOLERANCE = 2e-5;

    @TempDir
    Path tmp;

    static MergeOptions options() {
        return MergeOptions.defaults().withSeed(11).withThreads(2).withMaxShardBytes(300_000).withChunkElements(4096)
                .withLog(line -> {});
    }

    /** The same files under another directory: a "different" model with the very same weights. */
    static Path exactCopy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-qwen2", "tiny-llama"})
    void mergesThatMustReturnTheFixtureReproduceItsReferenceLogits(String fixture) throws IOException {
        Path base = Fixtures.file("hf/" + fixture);
        JsonNode ref = JSON.readTree(Fixtures.file("hf/" + fixture + ".reference.json").toFile());
        Path copy = exactCopy(base, tmp.resolve("copy-of-" + fixture));
        Map<String, String> configs = new LinkedHashMap<>();
        // (x + x) / 2 = x: linear of the fixture with itself at weight 1.0
        configs.put("linear", """
                merge_method: linear
                models:
                  - model: %s
                    parameters: {weight: 1.0}
                  - model: %s
                    parameters: {weight: 1.0}
                dtype: bfloat16
                """.formatted(base, copy));
        // the Aloe recipe with the base on both sides: every task vector is 0, whatever DARE drops
        configs.put("dare_ties", """
                merge_method: dare_ties
                base_model: %s
                models:
                  - model: %s
                    parameters: {density: 0.5, weight: 0.6}
                  - model: %s
                    parameters: {density: 0.7, weight: 0.4}
                parameters: {normalize: true, int8_mask: true}
                dtype: bfloat16
                """.formatted(base, base, copy));
        for (Map.Entry<String, String> c : configs.entrySet()) {
            Path out = tmp.resolve(fixture + "-" + c.getKey());
            Merger.merge(MergeConfig.parse(c.getValue()), out, options());
            assertTrue(Files.exists(out.resolve("model.safetensors.index.json")), "sharded output");

            float[][] logits = ReferenceLogits.of(out, ints(ref.get("tokens")));
            double maxDiff = 0;
            for (int row = 0; row < logits.length; row++) {
                JsonNode expected = ref.get("logits").get(row);
                assertEquals(expected.size(), logits[row].length);
                for (int i = 0; i < expected.size(); i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(expected.get(i).floatValue() - logits[row][i]));
                }
                assertEquals(ref.get("argmax_per_position").get(row).asInt(), argmax(logits[row]),
                        c.getKey() + ": argmax at position " + row);
            }
            System.out.printf(Locale.ROOT, "%s merged by %s: max |logit - reference| %.3g%n", fixture, c.getKey(), maxDiff);
            assertTrue(maxDiff <= REFERENCE_TOLERANCE, c.getKey() + ": max |logit diff| " + maxDiff);

            // The generation loop over the merged directory continues the reference tokens as llama.cpp did.
            int[] expectedNext = ints(ref.get("greedy_next_tokens"));
            double[] margins = doubles(ref.get("greedy_margins"));
            int comparable = 0;
            while (comparable < margins.length && margins[comparable] > 2 * REFERENCE_TOLERANCE) {
                comparable++;
            }
            assertTrue(comparable >= 4, "reference margins allow " + comparable + " steps");
            List<Integer> ids = new ArrayList<>();
            try (LocalModel m = LocalModel.open(out)) {
                m.generate(ints(ref.get("tokens")), SamplingSettings.greedy(comparable), List.of(), (text, id) -> {
                    if (id >= 0) {
                        ids.add(id);
                    }
                    return true;
                });
            }
            assertEquals(asList(expectedNext).subList(0, comparable), ids.subList(0, comparable), c.getKey());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-qwen2", "tiny-llama"})
    void aloeRecipeOnPerturbedCopiesRunsLikeTheIndependentlyComputedMerge(String fixture) throws IOException {
        Path base = Fixtures.file("hf/" + fixture);
        JsonNode ref = JSON.readTree(Fixtures.file("hf/" + fixture + ".reference.json").toFile());
        Path model1 = MergeFixtureTest.perturbedCopy(base, tmp.resolve("tuned-1"), 1, 0.01f);
        Path model2 = MergeFixtureTest.perturbedCopy(base, tmp.resolve("tuned-2"), 2, 0.02f);
        MergeConfig config = MergeConfig.parse("""
                models:
                  - model: %s
                  - model: %s
                    parameters: {density: 0.5, weight: 0.6}
                  - model: %s
                    parameters: {density: 0.7, weight: 0.4}
                merge_method: dare_ties
                base_model: %s
                parameters: {normalize: true, int8_mask: true}
                dtype: bfloat16
                """.formatted(base, model1, model2, base));
        Path merged = tmp.resolve("merged");
        Merger.merge(config, merged, options());

        // The same merge, computed by the test's float64 DARE-TIES (MergeFixtureTest) for every tensor, rounded to BF16.
        Map<String, TestModels.Tensor> b = TestModels.readAll(base);
        Map<String, TestModels.Tensor> x1 = TestModels.readAll(model1);
        Map<String, TestModels.Tensor> x2 = TestModels.readAll(model2);
        Map<String, TestModels.Tensor> expected = new LinkedHashMap<>();
        for (Map.Entry<String, TestModels.Tensor> e : b.entrySet()) {
            String name = e.getKey();
            double[] v = MergeFixtureTest.dareTiesReference(name, e.getValue().values(), x1.get(name).values(),
                    x2.get(name).values(), 11);
            float[] f = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                f[i] = (float) v[i];
            }
            expected.put(name, new TestModels.Tensor(e.getValue().shape(), f));
        }
        Path recomputed = tmp.resolve("recomputed");
        TestModels.writeWeights(recomputed, expected, SafeTensorsDType.BF16, Long.MAX_VALUE);
        TestModels.copyNonWeightFiles(base, recomputed);

        int[] tokens = ints(ref.get("tokens"));
        float[][] actual = ReferenceLogits.of(merged, tokens);
        float[][] wanted = ReferenceLogits.of(recomputed, tokens);
        double maxDiff = 0;
        double maxFromBase = 0;
        for (int row = 0; row < actual.length; row++) {
            JsonNode baseRow = ref.get("logits").get(row);
            for (int i = 0; i < actual[row].length; i++) {
                assertTrue(Float.isFinite(actual[row][i]), "position " + row + " logit " + i + ": " + actual[row][i]);
                maxDiff = Math.max(maxDiff, Math.abs(actual[row][i] - wanted[row][i]));
                maxFromBase = Math.max(maxFromBase, Math.abs(actual[row][i] - baseRow.get(i).floatValue()));
            }
        }
        System.out.printf(Locale.ROOT, "%s DARE-TIES: max |logit - recomputed merge| %.3g, max |logit - base| %.3g%n",
                fixture, maxDiff, maxFromBase);
        // Up to 1% of the elements sit next to a BF16 rounding midpoint, where the merge's float32 and the test's
        // float64 arithmetic round to neighbouring BF16 values (MergeFixtureTest.assertCloseToBf16); measured effect
        // on the logits 7.0e-4 (qwen2) and 5.3e-4 (llama). The merge itself moves the logits by 2.0-2.5, so a wrong
        // merge (another mask, sign or mean) is far outside the bound.
        assertTrue(maxDiff <= 2e-3, "max |logit diff| to the re-computed merge " + maxDiff);
        assertTrue(maxFromBase > 0.5, "the merge changed the model: " + maxFromBase);
    }

    @Test
    void localModelChatsWithTheTokenizerAndTemplateOfTheTokenizerSource() throws IOException {
        Path base = Fixtures.file("hf/tiny-qwen2");
        Path tuned = MergeFixtureTest.perturbedCopy(base, tmp.resolve("tuned"), 3, 0.01f);
        // The tuned model's tokenizer: same vocabulary, its own chat template (as a fine-tune with its own format has).
        ObjectNode tokenizerConfig = (ObjectNode) JSON.readTree(tuned.resolve("tokenizer_config.json").toFile());
        tokenizerConfig.put("chat_template", "{% for m in messages %}<|im_start|>{{ m['role'] }}: {{ m['content'] }}"
                + "<|im_end|>{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant: {% endif %}");
        Files.delete(tuned.resolve("tokenizer_config.json"));
        JSON.writeValue(tuned.resolve("tokenizer_config.json").toFile(), tokenizerConfig);

        Path merged = tmp.resolve("merged");
        Merger.merge(MergeConfig.parse("""
                merge_method: dare_ties
                base_model: %s
                models:
                  - model: %s
                    parameters: {density: 0.5, weight: 1.0}
                dtype: bfloat16
                tokenizer_source: %s
                """.formatted(base, tuned, tuned)), merged, options());
        assertEquals(-1, Files.mismatch(tuned.resolve("tokenizer_config.json"), merged.resolve("tokenizer_config.json")));
        assertNotEquals(-1, Files.mismatch(base.resolve("tokenizer_config.json"), merged.resolve("tokenizer_config.json")));

        ChatRequest request = ChatRequest.of(List.of(ChatMessage.system("Be brief."), ChatMessage.user("The patient has a fever.")))
                .withSampling(SamplingSettings.greedy(6));
        try (LocalModel m = LocalModel.open(merged)) {
            int[] prompt = m.chatTokens(request);
            String rendered = "<|im_start|>system: Be brief.<|im_end|><|im_start|>user: The patient has a fever.<|im_end|>"
                    + "<|im_start|>assistant: ";
            assertArrayEquals(m.tokenizer().encode(rendered, true), prompt);
            assertEquals(998, prompt[0], "<|im_start|> is the special token of the small-1000 vocabulary");

            List<Integer> ids = new ArrayList<>();
            GenerationResult r = m.chat(request, (text, id) -> {
                if (id >= 0) {
                    ids.add(id);
                }
                return true;
            });
            assertTrue(r.usage().completionTokens() >= 1 && r.usage().completionTokens() <= 6, r.toString());
            assertEquals(r.finishReason() == FinishReason.LENGTH ? 6 : ids.size() + 1, r.usage().completionTokens(), r.toString());
            assertEquals(m.tokenizer().decode(ids.stream().mapToInt(Integer::intValue).toArray()), r.text());

            // The greedy tokens are the argmax of the transformer run step by step on the merged weights.
            try (LoadedModel raw = ModelLoader.load(merged)) {
                Transformer t = new Transformer(raw.config(), raw.weights());
                KVCache cache = t.newCache(prompt.length + 8);
                float[] last = t.prefill(prompt, 0, cache);
                for (int k = 0; k < ids.size(); k++) {
                    assertEquals(argmax(last), ids.get(k), "greedy step " + k);
                    last = t.forward(ids.get(k), prompt.length + k, cache);
                }
            }
        }
    }

    @Test
    void theTwoFixturesDoNotMergeWithEachOther() throws IOException {
        Path qwen = Fixtures.file("hf/tiny-qwen2");
        Path llama = Fixtures.file("hf/tiny-llama");
        Path out = tmp.resolve("work").resolve("merged");
        Files.createDirectories(out.getParent());
        MergeException e = assertThrows(MergeException.class, () -> Merger.merge(MergeConfig.parse("""
                merge_method: ties
                base_model: %s
                models:
                  - model: %s
                    parameters: {density: 0.5, weight: 1.0}
                """.formatted(qwen, llama)), out, options()));
        assertTrue(e.getMessage().contains("tensor 'lm_head.weight': shape [1000, 128]"), e.getMessage());
        assertTrue(e.getMessage().contains(llama.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertEquals(List.of(), TestModels.list(out.getParent()), "nothing written");
    }

    static List<Integer> asList(int[] a) {
        return java.util.Arrays.stream(a).boxed().toList();
    }
}
