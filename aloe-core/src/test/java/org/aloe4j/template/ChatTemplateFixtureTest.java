package org.aloe4j.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aloe4j.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The shared fixtures: the two HF templates (Qwen2.5-7B-Instruct, Llama-3.1-8B-Instruct), their render cases with
 * exact expected strings (huggingface.js targets and Python jinja2 renders), the chat prompts of the real-vocabulary
 * model, and the tokenizer configs that carry the templates.
 */
class ChatTemplateFixtureTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @SuppressWarnings("unchecked")
    static Map<String, Object> readJson(Path file) throws IOException {
        return JSON.readValue(file.toFile(), LinkedHashMap.class);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> list(Object o) {
        return (List<Map<String, Object>>) o;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @TestFactory
    List<DynamicTest> everyFixtureCaseRendersByteExact() throws IOException {
        Path dir = Fixtures.file("chat-templates/chat_template_cases.json").getParent();
        Map<String, Object> cases = readJson(dir.resolve("chat_template_cases.json"));
        Map<String, Object> templates = map(cases.get("templates"));
        Map<String, ChatTemplate> compiled = new LinkedHashMap<>();
        for (Map.Entry<String, Object> t : templates.entrySet()) {
            Path file = dir.resolve((String) t.getValue());
            compiled.put(t.getKey(), ChatTemplate.of(Files.readString(file), file.getFileName().toString()));
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (Map<String, Object> c : list(cases.get("cases"))) {
            tests.add(DynamicTest.dynamicTest((String) c.get("name"), () -> {
                String out = compiled.get((String) c.get("template")).render(list(c.get("messages")),
                        (Boolean) c.get("add_generation_prompt"), list(c.get("tools")), map(c.get("context")));
                assertEquals(c.get("expected"), out);
            }));
        }
        assertEquals(6, tests.size(), "the fixture README announces 6 cases");
        return tests;
    }

    @Test
    void realVocabularyChatPromptsRenderToTheirRenderedStrings() throws IOException {
        Map<String, Object> prompts = readJson(Fixtures.file("models/tiny-qwen2-realvocab.chat_prompts.json"));
        ChatTemplate qwen = ChatTemplate.of(Files.readString(Fixtures.file("chat-templates/qwen2.5-7b-instruct.jinja")));
        List<Map<String, Object>> all = list(prompts.get("prompts"));
        assertEquals(3, all.size());
        for (Map<String, Object> p : all) {
            String out = qwen.render(list(p.get("messages")), (Boolean) p.get("add_generation_prompt"),
                    list(p.get("tools")), null);
            assertEquals(p.get("rendered"), out, (String) p.get("name"));
        }
    }

    @Test
    void qwenTokenizerConfigCarriesTheTemplateAndItsTokens() throws IOException {
        ChatTemplate t = ChatTemplate.fromTokenizerConfig(Fixtures.file("tokenizers/qwen2.5/tokenizer_config.json"));
        assertEquals(Files.readString(Fixtures.file("chat-templates/qwen2.5-7b-instruct.jinja")), t.source());
        assertEquals("<|im_end|>", t.specialTokens().get("eos_token"));
        assertEquals("<|endoftext|>", t.specialTokens().get("pad_token"));
        assertNull(t.specialTokens().get("bos_token"), "bos_token is null in the Qwen config: not passed");
        assertFalse(t.specialTokens().containsKey("bos_token"));
        assertEquals(13, ((List<?>) t.specialTokens().get("additional_special_tokens")).size());
    }

    @Test
    void llamaTokenizerConfigPassesBosTokenToTheTemplate() throws IOException {
        Path config = Fixtures.file("tokenizers/llama3/tokenizer_config.json");
        ChatTemplate t = ChatTemplate.fromTokenizerConfig(config);
        assertEquals(Files.readString(Fixtures.file("chat-templates/llama-3.1-8b-instruct.jinja")), t.source());
        assertEquals("<|begin_of_text|>", t.specialTokens().get("bos_token"));
        assertEquals("<|eot_id|>", t.specialTokens().get("eos_token"));
        // The template prints {{ bos_token }} first: from the config, without extraContext.
        String out = t.render(List.of(Map.of("role", "user", "content", "Hi")), true, null, null);
        assertEquals("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
                + "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n", out);
        // extraContext wins over the config (HF: kwargs override special_tokens_map).
        String dated = t.render(List.of(Map.of("role", "user", "content", "Hi")), false, null,
                Map.of("bos_token", "", "date_string", "01 Jan 2026"));
        assertTrue(dated.startsWith("<|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: "
                + "December 2023\nToday Date: 01 Jan 2026\n\n"), dated);
    }

    @Test
    void llamaTemplateRaisesForMultipleToolCalls() throws IOException {
        ChatTemplate llama = ChatTemplate.fromTokenizerConfig(Fixtures.file("tokenizers/llama3/tokenizer_config.json"));
        Map<String, Object> call = Map.of("type", "function", "function",
                Map.of("name", "get_weather", "arguments", Map.of("city", "Paris")));
        List<Map<String, Object>> messages = List.of(Map.of("role", "user", "content", "Weather?"),
                Map.of("role", "assistant", "tool_calls", List.of(call, call)));
        TemplateException e = assertThrows(TemplateException.class, () -> llama.render(messages, true, null, null));
        assertEquals("chat template " + Fixtures.file("tokenizers/llama3/tokenizer_config.json")
                + ": raise_exception: This model only supports single tool-calls at once!", e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void llamaTemplateRaisesForToolsWithoutAUserMessage() throws IOException {
        ChatTemplate llama = ChatTemplate.of(Files.readString(Fixtures.file("chat-templates/llama-3.1-8b-instruct.jinja")),
                "llama-3.1-8b-instruct.jinja");
        Map<String, Object> tool = Map.of("type", "function", "function", Map.of("name", "f", "parameters", Map.of()));
        TemplateException e = assertThrows(TemplateException.class,
                () -> llama.render(List.of(Map.of("role", "system", "content", "sys")), true, List.of(tool), null));
        assertEquals("chat template llama-3.1-8b-instruct.jinja: raise_exception: Cannot put tools in the first user "
                + "message when there's no first user message!", e.getMessage());
    }
}
