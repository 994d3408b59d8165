package org.aloe4j.template;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.lang.reflect.Array;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Filters whose Jinjava versions differ from jinja2 (or from Hugging Face's override) in ways chat templates see:
 * {@code tojson} (HF: {@code json.dumps(x, ensure_ascii=False, indent=..., separators=..., sort_keys=...)}; Jinjava's
 * is compact and ignores indent), {@code trim} (Python whitespace, optional chars), {@code items} (missing in
 * Jinjava), {@code string} and {@code join} (Python str() of items: True, None), {@code length}/{@code count}
 * (code points), {@code reverse} (a reversed str or list, also the target of the {@code [::-1]} rewrite).
 */
final class PythonFilters {
    private PythonFilters() {}

    static List<Filter> all() {
        return List.of(new ToJson(), new Trim(), new Items(), new StringFilter(), new Length("length"),
                new Length("count"), new Join(), new Reverse());
    }

    /** A filter called with Python-style positional and keyword arguments (Jinjava's default stringifies them). */
    abstract static class PythonFilter implements Filter {
        private final String name;
        private final List<String> parameters;

        PythonFilter(String name, String... parameters) {
            this.name = name;
            this.parameters = List.of(parameters);
        }

        @Override
        public String getName() {
            return name;
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
            return filter(var, interpreter, (Object[]) args, Map.of());
        }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            return apply(var, interpreter, bind(args, kwargs));
        }

        abstract Object apply(Object value, JinjavaInterpreter interpreter, Map<String, Object> args);

        /** Binds arguments to parameter names as Python would; a missing one is absent from the map. */
        private Map<String, Object> bind(Object[] args, Map<String, Object> kwargs) {
            Map<String, Object> bound = new LinkedHashMap<>();
            int n = args == null ? 0 : args.length;
            if (n > parameters.size()) {
                throw new IllegalArgumentException(
                        name + "() takes " + parameters.size() + " arguments after the value, " + n + " given");
            }
            for (int i = 0; i < n; i++) {
                bound.put(parameters.get(i), args[i]);
            }
            if (kwargs != null) {
                for (Map.Entry<String, Object> e : kwargs.entrySet()) {
                    if (!parameters.contains(e.getKey())) {
                        throw new IllegalArgumentException(name + "() got an unexpected keyword argument '" + e.getKey() + "'");
                    }
                    if (bound.containsKey(e.getKey())) {
                        throw new IllegalArgumentException(name + "() got multiple values for argument '" + e.getKey() + "'");
                    }
                    bound.put(e.getKey(), e.getValue());
                }
            }
            return bound;
        }
    }

    static boolean truthy(Object o) {
        if (o == null) {
            return false;
        }
        if (o instanceof Boolean b) {
            return b;
        }
        if (o instanceof Number num) {
            return num.doubleValue() != 0;
        }
        if (o instanceof CharSequence cs) {
            return !cs.isEmpty();
        }
        if (o instanceof Collection<?> c) {
            return !c.isEmpty();
        }
        if (o instanceof Map<?, ?> m) {
            return !m.isEmpty();
        }
        return true;
    }

    /** HF's {@code tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)}. */
    static final class ToJson extends PythonFilter {
        ToJson() {
            super("tojson", "ensure_ascii", "indent", "separators", "sort_keys");
        }

        @Override
        Object apply(Object value, JinjavaInterpreter interpreter, Map<String, Object> args) {
            List<String> separators = null;
            Object sep = args.get("separators");
            if (sep != null) {
                separators = new ArrayList<>();
                for (Object o : iterable(sep, "tojson separators")) {
                    separators.add(String.valueOf(o));
                }
            }
            PythonJson.Options options = PythonJson.Options.of(truthy(args.get("ensure_ascii")),
                    PythonJson.indentString(args.get("indent")), separators, truthy(args.get("sort_keys")));
            return PythonJson.dumps(value, options);
        }
    }

    /** jinja2's {@code trim(value, chars=None)} = {@code str(value).strip(chars)}. */
    static final class Trim extends PythonFilter {
        Trim() {
            super("trim", "chars");
        }

        @Override
        Object apply(Object value, JinjavaInterpreter interpreter, Map<String, Object> args) {
            Object chars = args.get("chars");
            return PythonStrings.strip(PythonValues.print(value), chars == null ? null : chars.toString(), true, true);
        }
    }

    /** jinja2 3.1's {@code items(mapping)}: (key, value) pairs, which a two-variable for loop unpacks. */
    static final class Items extends PythonFilter {
        Items() {
            super("items");
        }

        @Override
        Object apply(Object value, JinjavaInterpreter interpreter, Map<String, Object> args) {
            if (value == null) {
                return List.of();
            }
            if (!(value instanceof Map<?, ?> map)) {
                throw new IllegalArgumentException("items: can only get item pairs from a mapping, not "
                        + value.getClass().getSimpleName());
            }
            List<Map.Entry<Object, Object>> pairs = new ArrayList<>(map.size());
            for (Map.Entry<?, ?> e : map.entrySet()) {
                pairs.add(new AbstractMap.SimpleImmutableEntry<>(e.getKey(), e.getValue()));
            }
            return pairs;
        }
    }

    /** {@code string(value)} = Python str(); an undefined/None value gives '' (see {@link PythonValues#print}). */
    static final class StringFilter extends PythonFilter {
        StringFilter() {
            super("string");
        }

        @Override
        Object apply(Object value, JinjavaInterpreter interpreter, Map<String, Object> args) {
            return PythonValues.print(value);
        }
    }

    /** Python len(): code points for strings. */
    static final class Length extends PythonFilter {
        Length(String name) {
            super(name);
        }

        @Override
        Object apply(Object value, JinjavaInterpreter interpreter, Map<String, Object> args) {
            if (value == null) {
                return 0;
            }
            if (value instanceof CharSequence cs) {
                return PythonStrings.length(cs.toString());
            }
            if (value instanceof Collection<?> c) {
                return c.size();
            }
            if (value instanceof Map<?, ?> m) {
                return m.size();
            }
            if (value.getClass().isArray()) {
                return Array.getLength(value);
            }
            if (value instanceof Iterable<?> it) {
                int n = 0;
                for (Iterator<?> i = it.iterator(); i.hasNext(); i.next()) {
                    n++;
                }
                return n;
            }
            throw new IllegalArgumentException(getName() + ": object of type "
                    + value.getClass().getSimpleName() + " has no len()");
        }
    }

    /** {@code join(value, d='', attribute=None)} with Python str() of each item. */
    static final class Join extends PythonFilter {
        Join() {
            super("join", "d", "attribute");
        }

        @Override
        Object apply(Object value, JinjavaInterpreter interpreter, Map<String, Object> args) {
            String separator = args.get("d") == null ? "" : PythonValues.str(args.get("d"));
            Object attribute = args.get("attribute");
            StringBuilder out = new StringBuilder();
            boolean first = true;
            for (Object item : iterable(value, "join")) {
                if (attribute != null) {
                    item = interpreter.resolveProperty(item, attribute.toString());
                }
                if (!first) {
                    out.append(separator);
                }
                first = false;
                out.append(PythonValues.str(item));
            }
            return out.toString();
        }
    }

    /** {@code reverse(value)}: a str reversed by code points, any other iterable as a reversed list. */
    static final class Reverse extends PythonFilter {
        Reverse() {
            super("reverse");
        }

        @Override
        Object apply(Object value, JinjavaInterpreter interpreter, Map<String, Object> args) {
            if (value instanceof CharSequence cs) {
                return new StringBuilder(cs).reverse().toString(); // StringBuilder keeps surrogate pairs in order
            }
            List<Object> list = new ArrayList<>();
            for (Object o : iterable(value, "reverse")) {
                list.add(o);
            }
            Collections.reverse(list);
            return list;
        }
    }

    /** Python iteration over a value: lists, map keys, characters of a string, arrays; None is empty. */
    static Iterable<?> iterable(Object value, String what) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof Map<?, ?> m) {
            return m.keySet();
        }
        if (value instanceof Iterable<?> it) {
            return it;
        }
        if (value instanceof CharSequence cs) {
            return cs.toString().codePoints().mapToObj(Character::toString).toList();
        }
        if (value.getClass().isArray()) {
            List<Object> list = new ArrayList<>();
            for (int i = 0; i < Array.getLength(value); i++) {
                list.add(Array.get(value, i));
            }
            return list;
        }
        throw new IllegalArgumentException(what + ": '" + value.getClass().getSimpleName() + "' object is not iterable");
    }
}
