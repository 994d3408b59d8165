package org.aloe4j.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.aloe4j.Fixtures;
import org.junit.jupiter.api.Test;

class AloeDefaultsTest {

    @Test
    void systemPromptIsTheModelCardsOne() throws IOException {
        // The fixture chat was written with the model card's prompt, independently of this class.
        JsonNode prompts = new ObjectMapper().readTree(Fixtures.file("models/tiny-qwen2-realvocab.chat_prompts.json")
                .toFile());
        JsonNode system = prompts.get("prompts").get(0).get("messages").get(0);
        assertEquals("system", system.get("role").asText());
        assertEquals(system.get("content").asText(), AloeDefaults.SYSTEM_PROMPT);
    }

    @Test
    void noticeSaysResearchNotMedicalAdviceProfessionalReview() {
        String n = AloeDefaults.NOTICE;
        assertTrue(n.contains("research model") && n.contains("not medical advice") && n.contains("clinical practice")
                && n.contains("professional must review"), n);
        assertFalse(n.contains("\n"));
    }

    @Test
    void samplingDefaultsFollowTheModelCards() {
        SamplingSettings qwen = AloeDefaults.sampling(ModelFamily.QWEN2);
        assertEquals(new SamplingSettings(0.7, 20, 0.8, 0, 1.05, null, 256), qwen);
        SamplingSettings llama = AloeDefaults.sampling(ModelFamily.LLAMA);
        assertEquals(new SamplingSettings(0.6, 0, 0.9, 0, 1.0, null, 256), llama);
        assertEquals(llama, AloeDefaults.sampling(ModelFamily.OTHER));
        assertNull(qwen.seed());
    }

    @Test
    void stopTokensAreInTheFamiliesVocabularies() throws IOException {
        assertEquals(List.of("<|im_end|>", "<|endoftext|>"), AloeDefaults.stopTokens(ModelFamily.QWEN2));
        assertEquals(List.of("<|eot_id|>", "<|end_of_text|>", "<|eom_id|>"), AloeDefaults.stopTokens(ModelFamily.LLAMA));
        assertEquals(List.of(), AloeDefaults.stopTokens(ModelFamily.OTHER));
        Map<String, Integer> qwen = addedTokens("tokenizers/qwen2.5/tokenizer.json");
        assertEquals(151645, qwen.get("<|im_end|>"));
        assertEquals(151643, qwen.get("<|endoftext|>"));
        Map<String, Integer> llama = addedTokens("tokenizers/llama3/tokenizer.json");
        assertEquals(128009, llama.get("<|eot_id|>"));
        assertEquals(128001, llama.get("<|end_of_text|>"));
        // The fixture is the Llama 3 tokenizer: id 128008 has the reserved name there (Llama 3.1 names it <|eom_id|>).
        assertEquals(128008, llama.get("<|reserved_special_token_4|>"));
        assertNull(llama.get("<|eom_id|>"));
    }

    /** The added_tokens of a tokenizer.json, read by streaming up to that field (the files are ~10 MB). */
    private static Map<String, Integer> addedTokens(String file) throws IOException {
        Map<String, Integer> out = new HashMap<>();
        ObjectMapper json = new ObjectMapper();
        try (JsonParser p = json.getFactory().createParser(Fixtures.file(file).toFile())) {
            assertEquals(JsonToken.START_OBJECT, p.nextToken());
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("added_tokens")) {
                    for (JsonNode t : (JsonNode) json.readTree(p)) {
                        out.put(t.get("content").asText(), t.get("id").asInt());
                    }
                    return out;
                }
                p.skipChildren();
            }
        }
        throw new AssertionError(file + " has no added_tokens");
    }

    @Test
    void familiesFromArchitectureNames() {
        assertEquals(ModelFamily.QWEN2, ModelFamily.fromArchitecture("qwen2"));
        assertEquals(ModelFamily.QWEN2, ModelFamily.fromArchitecture("Qwen2ForCausalLM"));
        assertEquals(ModelFamily.LLAMA, ModelFamily.fromArchitecture("llama"));
        assertEquals(ModelFamily.LLAMA, ModelFamily.fromArchitecture("LlamaForCausalLM"));
        assertEquals(ModelFamily.OTHER, ModelFamily.fromArchitecture("qwen3"));
        assertEquals(ModelFamily.OTHER, ModelFamily.fromArchitecture(null));
    }
}
