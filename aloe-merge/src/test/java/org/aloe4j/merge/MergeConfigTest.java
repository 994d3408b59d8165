package org.aloe4j.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MergeConfigTest {

    /** The shape of the configuration Aloe Beta's merge used (DARE-TIES of the SFT model into its Instruct base). */
    static final String ALOE_STYLE = """
            models:
              - model: Qwen/Qwen2.5-7B-Instruct
              - model: ./Qwen2.5-Aloe-Beta-7B-SFT
                parameters:
                  density: 0.5
                  weight: 0.5
            merge_method: dare_ties
            base_model: Qwen/Qwen2.5-7B-Instruct
            parameters:
              normalize: true
              int8_mask: true
            dtype: bfloat16
            tokenizer_source: base
            """;

    @Test
    void readsAMergekitConfiguration() {
        MergeConfig c = MergeConfig.parse(ALOE_STYLE);
        assertEquals(MergeMethod.DARE_TIES, c.method());
        assertEquals("Qwen/Qwen2.5-7B-Instruct", c.baseModel());
        assertEquals(2, c.models().size());
        assertEquals("bfloat16", c.dtype());
        assertEquals("base", c.tokenizerSource());
        MergeConfig.InputModel sft = c.models().get(1);
        assertEquals(0.5, c.parameter("weight", sft, "model.norm.weight", 0));
        assertEquals(0.5, c.parameter("density", sft, "model.norm.weight", 0));
        assertEquals(true, c.parameter("normalize", null, "model.norm.weight", 0));
        assertNull(c.parameter("weight", c.models().get(0), "model.norm.weight", 0));
        assertEquals(ALOE_STYLE, c.yaml());
    }

    @Test
    void modelParametersOverrideGlobalOnesAndFiltersAndGradientsApply() {
        MergeConfig c = MergeConfig.parse("""
                merge_method: ties
                base_model: base
                models:
                  - model: a
                    parameters:
                      weight: [1.0, 0.5, 0.0]
                      density:
                        - filter: self_attn
                          value: 0.3
                        - filter: mlp
                          value: 0.7
                  - model: b
                parameters:
                  weight: 0.25
                  density: 0.9
                """);
        MergeConfig.InputModel a = c.models().get(0);
        MergeConfig.InputModel b = c.models().get(1);
        // gradient [1, 0.5, 0] at t = 0.75: scaled 1.5 -> between 0.5 and 0 halfway = 0.25
        assertEquals(0.25, (double) c.parameter("weight", a, "model.layers.3.mlp.up_proj.weight", 0.75), 1e-12);
        assertEquals(1.0, (double) c.parameter("weight", a, "model.embed_tokens.weight", 0), 1e-12);
        assertEquals(0.3, c.parameter("density", a, "model.layers.0.self_attn.q_proj.weight", 0));
        assertEquals(0.7, c.parameter("density", a, "model.layers.0.mlp.up_proj.weight", 0));
        // no filter matches -> falls back to the global value
        assertEquals(0.9, c.parameter("density", a, "model.norm.weight", 0));
        assertEquals(0.25, c.parameter("weight", b, "model.norm.weight", 0));
    }

    @Test
    void layerPositionFollowsMergekit() {
        assertEquals(0.0, MergePlanner.layerPosition("model.embed_tokens.weight", 28));
        assertEquals(1.0, MergePlanner.layerPosition("model.layers.27.mlp.up_proj.weight", 28));
        assertEquals(9 / 27.0, MergePlanner.layerPosition("model.layers.9.input_layernorm.weight", 28));
    }

    @Test
    void refusesWhatItDoesNotDo() {
        assertMessage("unknown merge_method 'slerp'", "merge_method: slerp\nmodels: [{model: a}]\n");
        assertMessage("'slices' is not supported", "merge_method: linear\nslices: []\n");
        assertMessage("unknown key 'base'", "merge_method: linear\nbase: x\nmodels: [{model: a}]\n");
        assertMessage("needs a base_model", "merge_method: dare_ties\nmodels: [{model: a}]\n");
        assertMessage("unknown parameter 'densty'",
                "merge_method: ties\nbase_model: b\nmodels: [{model: a, parameters: {densty: 0.5}}]\n");
        assertMessage("dtype 'int8' is not supported", "merge_method: linear\nmodels: [{model: a}]\ndtype: int8\n");
        assertMessage("parameters.weight: expected a number",
                "merge_method: linear\nmodels: [{model: a}]\nparameters: {weight: heavy}\n");
        assertMessage("'models' must be a non-empty list", "merge_method: linear\nmodels: []\n");
        assertMessage("malformed YAML", "merge_method: [linear\n");
    }

    private static void assertMessage(String expected, String yaml) {
        MergeException e = assertThrows(MergeException.class, () -> MergeConfig.parse(yaml));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
