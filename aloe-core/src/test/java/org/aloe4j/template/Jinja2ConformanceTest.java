package org.aloe4j.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aloe4j.Fixtures;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Outputs of Python jinja2 3.1.6 in HF's apply_chat_template environment, made by
 * {@code src/test/resources/template/make_jinja2_expected.py} and stored beside it as {@code jinja2_expected.json}:
 * more conversations through the two real templates, small probes of the jinja2 behaviour templates use, Python
 * strftime and float repr. No Python is needed to run this test.
 */
class Jinja2ConformanceTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Object> expected() throws IOException {
        try (InputStream in = Jinja2ConformanceTest.class.getResourceAsStream("/template/jinja2_expected.json")) {
            return new ObjectMapper().readValue(in, LinkedHashMap.class);
        }
    }

    @TestFactory
    List<DynamicTest> moreConversationsThroughTheRealTemplates() throws IOException {
        Map<String, Object> all = expected();
        Map<String, Object> templates = ChatTemplateFixtureTest.map(all.get("templates"));
        Map<String, ChatTemplate> compiled = new LinkedHashMap<>();
        for (Map.Entry<String, Object> t : templates.entrySet()) {
            Path file = Fixtures.file("chat-templates/" + t.getValue());
            compiled.put(t.getKey(), ChatTemplate.of(Files.readString(file), (String) t.getValue()));
        }
        List<DynamicTest> tests = new ArrayList<>();
        int raising = 0;
        for (Map<String, Object> c : ChatTemplateFixtureTest.list(all.get("chats"))) {
            ChatTemplate template = compiled.get((String) c.get("template"));
            Runnable render = () -> template.render(ChatTemplateFixtureTest.list(c.get("messages")),
                    (Boolean) c.get("add_generation_prompt"), ChatTemplateFixtureTest.list(c.get("tools")),
                    ChatTemplateFixtureTest.map(c.get("context")));
            if (c.containsKey("error")) {
                raising++;
                tests.add(DynamicTest.dynamicTest((String) c.get("name"), () -> {
                    TemplateException e = assertThrows(TemplateException.class, render::run);
                    assertEquals("chat template " + templates.get((String) c.get("template")) + ": raise_exception: "
                            + c.get("error"), e.getMessage());
                }));
            } else {
                tests.add(DynamicTest.dynamicTest((String) c.get("name"), () -> assertEquals(c.get("expected"),
                        template.render(ChatTemplateFixtureTest.list(c.get("messages")),
                                (Boolean) c.get("add_generation_prompt"), ChatTemplateFixtureTest.list(c.get("tools")),
                                ChatTemplateFixtureTest.map(c.get("context"))))));
            }
        }
        assertEquals(13, tests.size());
        assertEquals(2, raising);
        return tests;
    }

    @TestFactory
    List<DynamicTest> jinja2BehaviourProbes() throws IOException {
        Map<String, Object> all = expected();
        Map<String, Object> context = ChatTemplateFixtureTest.map(all.get("snippet_context"));
        List<DynamicTest> tests = new ArrayList<>();
        int i = 0;
        int errors = 0;
        for (Map<String, Object> s : ChatTemplateFixtureTest.list(all.get("snippets"))) {
            String src = (String) s.get("src");
            String name = "snippet " + (i++) + ": " + src.substring(0, Math.min(60, src.length())).replace('\n', ' ');
            if (s.containsKey("error")) {
                // jinja2 raised (message recorded in the JSON); we must fail too, at load or at render time.
                errors++;
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    TemplateException e = assertThrows(TemplateException.class,
                            () -> ChatTemplate.of(src, "probe").render(List.of(), false, null, context),
                            src + " -> jinja2: " + s.get("error"));
                    assertTrue(e.getMessage().startsWith("chat template probe: "), e.getMessage());
                    assertFalse(e.getMessage().contains("\n"), e.getMessage());
                }));
            } else {
                tests.add(DynamicTest.dynamicTest(name, () -> assertEquals(s.get("expected"),
                        ChatTemplate.of(src).render(List.of(), false, null, context), src)));
            }
        }
        assertTrue(tests.size() >= 40);
        assertEquals(10, errors);
        return tests;
    }

    @TestFactory
    List<DynamicTest> pythonStrftime() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Map<String, Object> s : ChatTemplateFixtureTest.list(expected().get("strftime"))) {
            LocalDateTime t = LocalDateTime.parse((String) s.get("datetime"));
            String format = (String) s.get("format");
            tests.add(DynamicTest.dynamicTest(s.get("datetime") + " " + format,
                    () -> assertEquals(s.get("expected"), PythonStrftime.format(format, t))));
        }
        assertEquals(5 * 38, tests.size());
        return tests;
    }

    @TestFactory
    List<DynamicTest> pythonFloatRepr() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Map<String, Object> f : ChatTemplateFixtureTest.list(expected().get("floats"))) {
            double d = Double.parseDouble((String) f.get("hex"));
            tests.add(DynamicTest.dynamicTest((String) f.get("repr"),
                    () -> assertEquals(f.get("repr"), PythonValues.floatRepr(d))));
        }
        return tests;
    }
}
