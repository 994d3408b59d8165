package org.aloe4j.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.aloe4j.Fixtures;
import org.aloe4j.formats.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The ChatTemplate API: loading, errors, safety of user text, immutability, threads and speed. */
class ChatTemplateTest {
    private static final String SIMPLE = "{% for m in messages %}<{{ m.role }}>{{ m.content }}\n{% endfor %}"
            + "{% if add_generation_prompt %}<assistant>{% endif %}";

    private static Map<String, Object> msg(String role, String content) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", content);
        return m;
    }

    private static ChatTemplate qwen() throws IOException {
        return ChatTemplate.of(Files.readString(Fixtures.file("chat-templates/qwen2.5-7b-instruct.jinja")), "qwen");
    }

    @Test
    void rendersMessagesAndGenerationPrompt() {
        ChatTemplate t = ChatTemplate.of(SIMPLE);
        assertEquals("<user>Hi\n<assistant>", t.render(List.of(msg("user", "Hi")), true, null, null));
        assertEquals("<user>Hi\n", t.render(List.of(msg("user", "Hi")), false, null, null));
        assertEquals(SIMPLE, t.source());
    }

    @Test
    void userTextIsNeverInterpretedAsTemplate() throws IOException {
        // Jinjava 2.8 re-renders expression output containing "{{" unless nested interpretation is off.
        String evil = "{{ raise_exception('x') }} {% for i in range(3) %}{{ i }}{% endfor %} {{ 7*7 }}";
        String out = qwen().render(List.of(msg("user", evil)), false, null, null);
        assertTrue(out.contains("<|im_start|>user\n" + evil + "<|im_end|>"), out);
    }

    @Test
    void templateCannotModifyTheCallersMessages() {
        List<Map<String, Object>> messages = new ArrayList<>(List.of(msg("user", "Hi")));
        ChatTemplate appending = ChatTemplate.of("{{ messages.append({'role': 'x'}) }}{{ messages|length }}", "appending");
        TemplateException e = assertThrows(TemplateException.class, () -> appending.render(messages, false, null, null));
        assertTrue(e.getMessage().startsWith("chat template appending: "), e.getMessage());
        assertEquals(1, messages.size());
    }

    @Test
    void errorsAreOneLineAndNameTheTemplate() {
        ChatTemplate t = ChatTemplate.of("line one\n{{ raise_exception('bad\nthing') }}", "mine.jinja");
        TemplateException e = assertThrows(TemplateException.class,
                () -> t.render(List.of(msg("user", "Hi")), false, null, null));
        assertEquals("chat template mine.jinja: raise_exception: bad thing", e.getMessage());

        TemplateException unknownFilter = assertThrows(TemplateException.class,
                () -> ChatTemplate.of("a\n{{ 'x' | no_such_filter }}", "f.jinja").render(List.of(), false, null, null));
        assertTrue(unknownFilter.getMessage().startsWith("chat template f.jinja: line 2: "), unknownFilter.getMessage());
        assertFalse(unknownFilter.getMessage().contains("\n"));

        TemplateException syntax = assertThrows(TemplateException.class,
                () -> ChatTemplate.of("{% if x %}never closed", "s.jinja"));
        assertTrue(syntax.getMessage().startsWith("chat template s.jinja: "), syntax.getMessage());
    }

    @Test
    void unsupportedJinjaFeaturesFailAtLoadInsteadOfRenderingDifferently() {
        TemplateException e = assertThrows(TemplateException.class,
                () -> ChatTemplate.of("x\n{% for m in messages %}{{ loop.previtem.role }}{% endfor %}", "p.jinja"));
        assertEquals("chat template p.jinja: line 2: loop.previtem is not supported", e.getMessage());
    }

    @Test
    void extraContextCannotShadowRenderParameters() {
        ChatTemplate t = ChatTemplate.of(SIMPLE);
        assertThrows(IllegalArgumentException.class,
                () -> t.render(List.of(), false, null, Map.of("messages", List.of())));
    }

    @Test
    void strftimeNowReadsTheClock() {
        ChatTemplate t = ChatTemplate.of("{{ strftime_now('%Y-%m-%d %B') }}");
        String before = PythonStrftime.format("%Y-%m-%d %B", LocalDateTime.now());
        String out = t.render(List.of(), false, null, null);
        String after = PythonStrftime.format("%Y-%m-%d %B", LocalDateTime.now());
        assertTrue(out.equals(before) || out.equals(after), out);
    }

    @Test
    void tokenizerConfigVariants(@TempDir Path dir) throws IOException {
        Path listConfig = dir.resolve("list/tokenizer_config.json");
        Files.createDirectories(listConfig.getParent());
        Files.writeString(listConfig, """
                {"chat_template": [{"name": "tool_use", "template": "T"},
                                   {"name": "default", "template": "{{ bos_token }}D{{ eos_token }}"}],
                 "bos_token": {"__type": "AddedToken", "content": "<s>", "lstrip": false},
                 "eos_token": "</s>", "unk_token": null}""");
        ChatTemplate t = ChatTemplate.fromTokenizerConfig(listConfig);
        assertEquals("{{ bos_token }}D{{ eos_token }}", t.source());
        assertEquals("<s>D</s>", t.render(List.of(), false, null, null));
        assertEquals(listConfig.toString(), t.name());

        Path beside = dir.resolve("beside/tokenizer_config.json");
        Files.createDirectories(beside.getParent());
        Files.writeString(beside, "{\"eos_token\": \"</s>\"}");
        Files.writeString(beside.resolveSibling("chat_template.jinja"), "J{{ eos_token }}\n");
        assertEquals("J</s>", ChatTemplate.fromTokenizerConfig(beside).render(List.of(), false, null, null));

        Path none = dir.resolve("none/tokenizer_config.json");
        Files.createDirectories(none.getParent());
        Files.writeString(none, "{\"eos_token\": \"</s>\"}");
        ModelFormatException missing = assertThrows(ModelFormatException.class, () -> ChatTemplate.fromTokenizerConfig(none));
        assertEquals(none + ": no chat_template (and no chat_template.jinja beside it)", missing.getMessage());

        Path noDefault = dir.resolve("nodefault/tokenizer_config.json");
        Files.createDirectories(noDefault.getParent());
        Files.writeString(noDefault, "{\"chat_template\": [{\"name\": \"rag\", \"template\": \"R\"}]}");
        assertTrue(assertThrows(ModelFormatException.class, () -> ChatTemplate.fromTokenizerConfig(noDefault))
                .getMessage().contains("no template named \"default\""));

        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"chat_template\": ");
        assertTrue(assertThrows(ModelFormatException.class, () -> ChatTemplate.fromTokenizerConfig(broken))
                .getMessage().startsWith(broken + ": not valid JSON"));
        assertEquals(dir.resolve("absent.json") + ": file not found", assertThrows(ModelFormatException.class,
                () -> ChatTemplate.fromTokenizerConfig(dir.resolve("absent.json"))).getMessage());
    }

    @Test
    void concurrentRendersGiveTheSameBytes() throws Exception {
        ChatTemplate t = qwen();
        List<List<Map<String, Object>>> chats = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            List<Map<String, Object>> chat = List.of(msg("system", "sys " + i), msg("user", "question " + i + " ü"),
                    msg("assistant", "answer " + i), msg("user", "again " + i));
            chats.add(chat);
            expected.add(t.render(chat, i % 2 == 0, null, null));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int worker = 0; worker < 4; worker++) {
                int offset = worker;
                results.add(pool.submit(() -> {
                    int checked = 0;
                    for (int n = 0; n < 200; n++) {
                        int i = (n + offset) % chats.size();
                        assertEquals(expected.get(i), t.render(chats.get(i), i % 2 == 0, null, null));
                        checked++;
                    }
                    return checked;
                }));
            }
            for (Future<Integer> f : results) {
                assertEquals(200, f.get());
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void shortChatRendersWellUnderFiveMillisecondsAfterWarmUp() throws IOException {
        ChatTemplate qwen = qwen();
        ChatTemplate llama = ChatTemplate.fromTokenizerConfig(Fixtures.file("tokenizers/llama3/tokenizer_config.json"));
        List<Map<String, Object>> chat = List.of(msg("system", "You are Aloe."), msg("user", "What is HbA1c?"),
                msg("assistant", "A blood test."), msg("user", "What is a normal value?"));
        for (ChatTemplate t : List.of(qwen, llama)) {
            for (int i = 0; i < 3000; i++) { // until the JIT has compiled the render path
                t.render(chat, true, null, null);
            }
            int n = 1000;
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                t.render(chat, true, null, null);
            }
            double micros = (System.nanoTime() - start) / 1e3 / n;
            System.out.printf("ChatTemplate %s: %.1f us per render of a 4-message chat%n", t.name(), micros);
            assertTrue(micros < 5000, t.name() + " took " + micros + " us");
        }
    }
}
