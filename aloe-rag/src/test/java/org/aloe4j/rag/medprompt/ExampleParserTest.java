package org.aloe4j.rag.medprompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExampleParserTest {

    @Test
    void objectOptionsKeepTheirOrderAndLetterAnswer() {
        Example e = ExampleParser.parse("{\"id\": 42, \"question\": \"Q?\", \"options\": {\"B\": \"bee\", \"A\": \"ay\"},"
                + " \"reasoning\": \"Because. Answer: [A]\", \"answer\": \"A\"}");
        assertEquals("42", e.id());
        assertEquals(List.of("B", "A"), List.copyOf(e.options().keySet()));
        assertEquals("A", e.answer());
        assertEquals("Because. Answer: [A]", e.reasoning());
    }

    @Test
    void listOptionsAreLetteredAndAnswersMayBeBracketedOrTheOptionText() {
        String base = "{\"question\": \"Q?\", \"options\": [\"one\", \"two\", \"three\"], \"reasoning\": \"r\", ";
        Example e = ExampleParser.parse(base + "\"answer\": \"[c]\"}");
        assertEquals(List.of("A", "B", "C"), List.copyOf(e.options().keySet()));
        assertEquals("three", e.options().get("C"));
        assertEquals("C", e.answer());
        assertEquals("B", ExampleParser.parse(base + "\"answer\": \"Two\"}").answer());
        assertEquals("A", ExampleParser.parse(base + "\"answer\": \"(A)\"}").answer());
        // no id: derived from question and options, stable across parses, different for other options
        assertTrue(e.id().matches("q-[0-9a-f]{16}"), e.id());
        assertEquals(e.id(), ExampleParser.parse(base + "\"answer\": \"A\"}").id());
        assertNotEquals(e.id(), ExampleParser.parse(
                "{\"question\": \"Q?\", \"options\": [\"one\", \"two\"], \"reasoning\": \"r\", \"answer\": \"A\"}").id());
    }

    @Test
    void problemsAreNamed() {
        assertEquals("missing field 'reasoning'", problem("{\"question\": \"q\", \"options\": [\"a\"], \"answer\": \"A\"}"));
        assertEquals("field 'question' is not a non-empty string",
                problem("{\"question\": \" \", \"options\": [\"a\"], \"reasoning\": \"r\", \"answer\": \"A\"}"));
        assertEquals("answer 'D' is none of the options [A, B]",
                problem("{\"question\": \"q\", \"options\": [\"a\", \"b\"], \"reasoning\": \"r\", \"answer\": \"D\"}"));
        assertEquals("field 'options' is neither an object nor a list",
                problem("{\"question\": \"q\", \"options\": \"a\", \"reasoning\": \"r\", \"answer\": \"A\"}"));
        assertEquals("not a JSON object", problem("[1, 2]"));
        assertTrue(problem("{\"question\": ").startsWith("not JSON: "));
    }

    private static String problem(String line) {
        return assertThrows(IllegalArgumentException.class, () -> ExampleParser.parse(line)).getMessage();
    }
}
