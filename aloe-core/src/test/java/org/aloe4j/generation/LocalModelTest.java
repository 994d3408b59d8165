package org.aloe4j.generation;

import static org.aloe4j.ReferenceLogits.ints;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.aloe4j.Fixtures;
import org.junit.jupiter.api.Test;

/** The generation loop on real fixture models. */
class LocalModelTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void stories260KReproducesTheReferenceGreedyStory() throws IOException {
        JsonNode ref = JSON.readTree(Fixtures.file("models/stories260K.json").toFile());
        try (LocalModel m = LocalModel.open(Fixtures.file("models/stories260K.gguf"))) {
            List<Integer> ids = new ArrayList<>();
            StringBuilder streamed = new StringBuilder();
            GenerationResult r = m.generate(ints(ref.get("prompt_tokens")), SamplingSettings.greedy(64), List.of(), (t, id) -> {
                streamed.append(t);
                if (id >= 0) {
                    ids.add(id);
                }
                return true;
            });
            assertArrayEquals(ints(ref.get("greedy_next_tokens")), ids.stream().mapToInt(Integer::intValue).toArray());
            assertEquals(ref.get("greedy_text").asText(), r.text());
            assertEquals(r.text(), streamed.toString());
            assertEquals(FinishReason.LENGTH, r.finishReason());
            assertEquals(new Usage(1, 64), r.usage());
        }
    }

    @Test
    void chatPromptWithTheDefaultSystemPromptIsTheReferenceTokenization() throws IOException {
        JsonNode prompts = JSON.readTree(Fixtures.file("models/tiny-qwen2-realvocab.chat_prompts.json").toFile());
        JsonNode p = prompts.get("prompts").get(0);
        assertEquals("system", p.get("messages").get(0).get("role").asText());
        assertEquals(AloeDefaults.SYSTEM_PROMPT, p.get("messages").get(0).get("content").asText());
        String question = p.get("messages").get(1).get("content").asText();
        try (LocalModel m = LocalModel.open(Fixtures.file("models/tiny-qwen2-realvocab.Q8_0.gguf"))) {
            assertEquals(ModelFamily.QWEN2, m.family());
            int[] ids = m.chatTokens(ChatRequest.of(List.of(ChatMessage.user(question))));
            assertArrayEquals(ints(p.get("ids")), ids);
            assertTrue(java.util.Arrays.stream(m.stopTokenIds()).anyMatch(i -> i == 151645), "<|im_end|> stops");
        }
    }

    @Test
    void aFixedSeedGivesTheSameSampleAndPrefixReuseChangesNothing() {
        try (LocalModel m = LocalModel.open(Fixtures.file("models/tiny-qwen2-realvocab.Q8_0.gguf"))) {
            SamplingSettings s = AloeDefaults.sampling(ModelFamily.QWEN2).withSeed(1234L).withMaxNewTokens(24).withTemperature(1.5).withTopK(0).withTopP(1.0);
            ChatRequest req = ChatRequest.of(List.of(ChatMessage.user("Is ibuprofen safe with asthma?"))).withSampling(s);
            GenerationResult a = m.chat(req, null);
            GenerationResult b = m.chat(req, null); // second run reuses the cached prompt prefix
            assertEquals(a, b);
            try (LocalModel fresh = LocalModel.open(Fixtures.file("models/tiny-qwen2-realvocab.Q8_0.gguf"))) {
                assertEquals(a, fresh.chat(req, null));
            }
            GenerationResult c = m.chat(req.withSampling(s.withSeed(99L)), null);
            assertNotEquals(a.text(), c.text(), "another seed should give another sample at temperature 1.5");
        }
    }

    @Test
    void theSinkCanCancelAndStopStringsCutTheText() {
        try (LocalModel m = LocalModel.open(Fixtures.file("models/stories260K.gguf"))) {
            int[] bos = {1};
            int[] seen = {0};
            GenerationResult r = m.generate(bos, SamplingSettings.greedy(64), List.of(), (t, id) -> ++seen[0] < 3);
            assertEquals(FinishReason.CANCELLED, r.finishReason());
            assertEquals(3, r.usage().completionTokens());

            GenerationResult s = m.generate(bos, SamplingSettings.greedy(64), List.of("Lily"), null);
            assertEquals(FinishReason.STOP, s.finishReason());
            assertEquals("Once upon a time, there was a little girl named ", s.text());
        }
    }
}
