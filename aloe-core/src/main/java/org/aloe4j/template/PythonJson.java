package org.aloe4j.template;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps(x, ensure_ascii, indent, separators, sort_keys)} on Java values, byte for byte: the
 * {@code tojson} filter of Hugging Face chat templates is exactly that call. Differences from a Java JSON writer that
 * matter here: {@code ", "} and {@code ": "} separators by default, floats written as Python's {@code repr}
 * ({@code 1e+20}, {@code 1.0}), non-ASCII kept as is unless {@code ensure_ascii}, no HTML escaping.
 */
final class PythonJson {
    private PythonJson() {}

    /** Options of {@code json.dumps}; {@code indent == null} means one line. */
    record Options(boolean ensureAscii, String indent, String itemSeparator, String keySeparator, boolean sortKeys) {
        static final Options DEFAULT = new Options(false, null, ", ", ": ", false);

        /** Like Python: when an indent is given and no separators, the item separator loses its trailing space. */
        static Options of(boolean ensureAscii, String indent, List<String> separators, boolean sortKeys) {
            String item = indent == null ? ", " : ",";
            String key = ": ";
            if (separators != null) {
                if (separators.size() != 2) {
                    throw new IllegalArgumentException("tojson: separators must be a pair (item, key), got " + separators);
                }
                item = separators.get(0);
                key = separators.get(1);
            }
            return new Options(ensureAscii, indent, item, key, sortKeys);
        }
    }

    static String dumps(Object value) {
        return dumps(value, Options.DEFAULT);
    }

    static String dumps(Object value, Options options) {
        StringBuilder out = new StringBuilder();
        write(out, value, options, 0);
        return out.toString();
    }

    /** Python's indent argument: an int gives that many spaces (negative = 0), a string is used as it is. */
    static String indentString(Object indent) {
        if (indent == null) {
            return null;
        }
        if (indent instanceof Number n) {
            return " ".repeat(Math.max(0, n.intValue()));
        }
        return indent.toString();
    }

    private static void write(StringBuilder out, Object value, Options o, int depth) {
        if (value == null || PythonValues.isNullValue(value)) {
            out.append("null");
        } else if (value instanceof CharSequence s) {
            writeString(out, s.toString(), o.ensureAscii());
        } else if (value instanceof Boolean b) {
            out.append(b ? "true" : "false");
        } else if (value instanceof Number n) {
            out.append(number(n));
        } else if (value instanceof Character c) {
            writeString(out, c.toString(), o.ensureAscii());
        } else if (value instanceof Map<?, ?> map) {
            writeMap(out, map, o, depth);
        } else if (value instanceof Collection<?> c) {
            writeList(out, new ArrayList<>(c), o, depth);
        } else if (value.getClass().isArray()) {
            int n = Array.getLength(value);
            List<Object> list = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                list.add(Array.get(value, i));
            }
            writeList(out, list, o, depth);
        } else {
            throw new IllegalArgumentException(
                    "tojson: Object of type " + value.getClass().getSimpleName() + " is not JSON serializable");
        }
    }

    private static void writeList(StringBuilder out, List<?> list, Options o, int depth) {
        if (list.isEmpty()) {
            out.append("[]");
            return;
        }
        out.append('[');
        for (int i = 0; i < list.size(); i++) {
            if (i > 0) {
                out.append(o.itemSeparator());
            }
            newline(out, o, depth + 1);
            write(out, list.get(i), o, depth + 1);
        }
        newline(out, o, depth);
        out.append(']');
    }

    private static void writeMap(StringBuilder out, Map<?, ?> map, Options o, int depth) {
        if (map.isEmpty()) {
            out.append("{}");
            return;
        }
        List<Map.Entry<String, Object>> entries = new ArrayList<>(map.size());
        for (Map.Entry<?, ?> e : map.entrySet()) {
            entries.add(Map.entry(key(e.getKey()), e.getValue() == null ? NULL_SENTINEL : e.getValue()));
        }
        if (o.sortKeys()) {
            entries.sort((a, b) -> PythonStrings.compare(a.getKey(), b.getKey()));
        }
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, Object> e : entries) {
            if (!first) {
                out.append(o.itemSeparator());
            }
            first = false;
            newline(out, o, depth + 1);
            writeString(out, e.getKey(), o.ensureAscii());
            out.append(o.keySeparator());
            write(out, e.getValue() == NULL_SENTINEL ? null : e.getValue(), o, depth + 1);
        }
        newline(out, o, depth);
        out.append('}');
    }

    /** Map.entry rejects null values; this stands in for them while sorting. */
    private static final Object NULL_SENTINEL = new Object();

    /** json.dumps turns str, int, float, bool and None keys into strings; anything else is a TypeError. */
    private static String key(Object k) {
        if (k instanceof CharSequence s) {
            return s.toString();
        }
        if (k == null) {
            return "null";
        }
        if (k instanceof Boolean b) {
            return b ? "true" : "false";
        }
        if (k instanceof Number n) {
            return number(n);
        }
        throw new IllegalArgumentException(
                "tojson: keys must be str, int, float, bool or None, not " + k.getClass().getSimpleName());
    }

    private static void newline(StringBuilder out, Options o, int depth) {
        if (o.indent() != null) {
            out.append('\n');
            out.append(o.indent().repeat(depth));
        }
    }

    /** JSON number text as Python writes it: ints in full, floats as repr, NaN/Infinity as json.dumps allows. */
    static String number(Number n) {
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            if (Double.isNaN(d)) {
                return "NaN";
            }
            if (Double.isInfinite(d)) {
                return d > 0 ? "Infinity" : "-Infinity";
            }
            return PythonValues.floatRepr(d);
        }
        if (n instanceof BigDecimal bd) {
            return PythonValues.floatRepr(bd.doubleValue());
        }
        if (n instanceof BigInteger || n instanceof Long || n instanceof Integer || n instanceof Short
                || n instanceof Byte) {
            return n.toString();
        }
        return PythonValues.floatRepr(n.doubleValue());
    }

    static void writeString(StringBuilder out, String s, boolean ensureAscii) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    // Python escapes control characters always; with ensure_ascii everything outside ' '..'~'
                    // (so DEL too), as UTF-16 units, which is what a Java char already is.
                    if (c < 0x20 || (ensureAscii && c > 0x7e)) {
                        out.append("\\u");
                        String hex = Integer.toHexString(c);
                        out.append("0".repeat(4 - hex.length())).append(hex);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
