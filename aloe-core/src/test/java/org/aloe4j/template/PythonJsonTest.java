package org.aloe4j.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * json.dumps corner cases beyond the template probes. Each expected string was printed by CPython 3.11's
 * {@code json.dumps} with the arguments shown in the comment.
 */
class PythonJsonTest {

    private static Map<Object, Object> map(Object... kv) {
        Map<Object, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void indentZeroAndNegativeGiveNewlinesWithoutIndentation() {
        // json.dumps({'a': [1, {'b': None}], 'c': 'x'}, indent=0)
        assertEquals("{\n\"a\": [\n1,\n{\n\"b\": null\n}\n],\n\"c\": \"x\"\n}", PythonJson.dumps(
                map("a", List.of(1, map("b", null)), "c", "x"),
                PythonJson.Options.of(false, PythonJson.indentString(0), null, false)));
        // json.dumps([1, [2, []], {}], indent=-3)
        assertEquals("[\n1,\n[\n2,\n[]\n],\n{}\n]", PythonJson.dumps(List.of(1, List.of(2, List.of()), Map.of()),
                PythonJson.Options.of(false, PythonJson.indentString(-3), null, false)));
    }

    @Test
    void nonStringKeysBecomeStrings() {
        // json.dumps({True: 1, None: 2, 1.5: 3, 7: 4, 'k': 5})
        assertEquals("{\"true\": 1, \"null\": 2, \"1.5\": 3, \"7\": 4, \"k\": 5}",
                PythonJson.dumps(map(true, 1, null, 2, 1.5, 3, 7, 4, "k", 5)));
    }

    @Test
    void specialFloatsAndBigIntegers() {
        // json.dumps([float('nan'), float('inf'), -float('inf'), 1e16, 2**70])
        assertEquals("[NaN, Infinity, -Infinity, 1e+16, 1180591620717411303424]", PythonJson.dumps(Arrays.asList(
                Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e16, BigInteger.TWO.pow(70))));
    }

    @Test
    void ensureAsciiEscapesUtf16Units() {
        // json.dumps('\u2028\U0001F912', ensure_ascii=True)
        assertEquals("\"\\u2028\\ud83e\\udd12\"", PythonJson.dumps("\u2028\uD83E\uDD12",
                PythonJson.Options.of(true, null, null, false)));
    }

    @Test
    void sortKeysWithIndentAndCustomSeparators() {
        // json.dumps({'b': 1, 'a': {'d': 1, 'c': 2}}, sort_keys=True, indent=2, separators=(',', '='))
        assertEquals("{\n  \"a\"={\n    \"c\"=2,\n    \"d\"=1\n  },\n  \"b\"=1\n}",
                PythonJson.dumps(map("b", 1, "a", map("d", 1, "c", 2)),
                        PythonJson.Options.of(false, PythonJson.indentString(2), List.of(",", "="), true)));
    }

    @Test
    void unsupportedTypesFailLikePython() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PythonJson.dumps(List.of(new Object())));
        assertEquals("tojson: Object of type Object is not JSON serializable", e.getMessage());
    }
}
