package org.aloe4j.template;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.exptest.ExpTest;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Tests that Jinjava answers differently from jinja2: in Python a str and a dict are iterable and are sequences
 * (Jinjava says no). The Llama 3.1 template depends on it: a tool message whose content is a str is
 * {@code is iterable}, so jinja2 writes it through {@code tojson}, quoted.
 */
final class PythonTests {
    private PythonTests() {}

    static List<ExpTest> all() {
        return List.of(test("iterable", PythonTests::isIterable), test("sequence", PythonTests::isSequence));
    }

    static boolean isIterable(Object o) {
        return o != null && (o instanceof Iterable<?> || o instanceof Map<?, ?> || o instanceof CharSequence
                || o instanceof Iterator<?> || o.getClass().isArray());
    }

    /** jinja2's sequence test: has a length and supports indexing (str, list, tuple, dict). */
    static boolean isSequence(Object o) {
        return o != null && (o instanceof List<?> || o instanceof Map<?, ?> || o instanceof CharSequence
                || o instanceof java.util.Collection<?> || o.getClass().isArray());
    }

    private static ExpTest test(String name, java.util.function.Predicate<Object> predicate) {
        return new ExpTest() {
            @Override
            public String getName() {
                return name;
            }

            @Override
            public boolean evaluate(Object var, JinjavaInterpreter interpreter, Object... args) {
                return predicate.test(var);
            }
        };
    }
}
