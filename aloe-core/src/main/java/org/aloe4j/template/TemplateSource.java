package org.aloe4j.template;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites a template's source into what Jinjava must parse to produce jinja2's output. Three things jinja2's lexer
 * does that Jinjava does differently:
 * <ul>
 *   <li>newlines are normalised to {@code \n}, and one trailing newline is dropped ({@code keep_trailing_newline=False});
 *   <li>{@code lstrip_blocks} removes the spaces and tabs before a block tag or comment only when nothing but them
 *       stands between the line start and the tag (Jinjava strips them before every tag, so {@code "c {% set x %}"}
 *       lost its space), and not at all for {@code {%+} or {@code {#+};
 *   <li>{@code x[::-1]}, which Jinjava cannot parse, becomes {@code x|reverse} (our Python reverse filter).
 * </ul>
 * Jinjava runs with its own lstrip turned off; trim_blocks and {@code -} whitespace control stay Jinjava's.
 */
final class TemplateSource {
    private TemplateSource() {}

    private static final Pattern NEWLINES = Pattern.compile("\\r\\n|\\r");
    private static final Pattern REVERSE_SLICE = Pattern.compile("\\[\\s*:\\s*:\\s*-\\s*1\\s*\\]");
    private static final Pattern RAW = Pattern.compile("\\{%[-+]?\\s*raw\\s*[-+]?%\\}");
    private static final Pattern END_RAW = Pattern.compile("\\{%[-+]?\\s*endraw\\s*[-+]?%\\}");

    /** The rewritten source, and the filters and tests its expressions name (with the line of first use). */
    record Prepared(String source, Map<String, Integer> filters, Map<String, Integer> tests,
            Map<String, Integer> unsupported) {}

    static String forJinjava(String source) {
        return prepare(source).source();
    }

    static Prepared prepare(String source) {
        Map<String, Integer> filters = new LinkedHashMap<>();
        Map<String, Integer> tests = new LinkedHashMap<>();
        Map<String, Integer> unsupported = new LinkedHashMap<>();
        String s = NEWLINES.matcher(source).replaceAll("\n");
        if (s.endsWith("\n")) {
            s = s.substring(0, s.length() - 1);
        }
        StringBuilder out = new StringBuilder(s.length());
        int i = 0;
        int line = 1;        // line of position lineCounted in s (lstrip never removes newlines: same lines as out)
        int lineCounted = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            char next = i + 1 < s.length() ? s.charAt(i + 1) : 0;
            if (c != '{' || (next != '%' && next != '{' && next != '#')) {
                out.append(c);
                i++;
                continue;
            }
            if (next == '%' || next == '#') {
                boolean plus = i + 2 < s.length() && s.charAt(i + 2) == '+';
                if (!plus) {
                    lstrip(out);
                }
                out.append(c).append(next);
                i += plus ? 3 : 2;
            } else {
                out.append("{{");
                i += 2;
            }
            int end = tagEnd(s, i, next);
            String body = s.substring(i, end);
            if (next != '#') {
                for (; lineCounted < i; lineCounted++) {
                    if (s.charAt(lineCounted) == '\n') {
                        line++;
                    }
                }
                body = REVERSE_SLICE.matcher(body).replaceAll("|reverse");
                collectNames(body, line, filters, tests, unsupported);
            }
            out.append(body);
            i = end;
            if (next == '%' && isRaw(out)) {
                // {% raw %} content is text, never tags: copied untouched up to {% endraw %}.
                Matcher endRaw = END_RAW.matcher(s);
                int stop = endRaw.find(i) ? endRaw.start() : s.length();
                out.append(s, i, stop);
                i = stop;
            }
        }
        return new Prepared(out.toString(), filters, tests, unsupported);
    }

    private static final Pattern QUOTED = Pattern.compile("'(?:[^'\\\\]|\\\\.)*'|\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern FILTER_NAME = Pattern.compile("\\|\\s*([A-Za-z_][A-Za-z0-9_]*)");
    private static final Pattern TEST_NAME = Pattern.compile("\\bis\\s+(?:not\\s+)?([A-Za-z_][A-Za-z0-9_]*)");

    /** jinja2 loop attributes Jinjava lacks (it would print nothing for them). */
    private static final Pattern UNSUPPORTED_LOOP = Pattern.compile("\\bloop\\.(previtem|nextitem)\\b");

    /** Records the names after {@code |} and after {@code is [not]} outside string literals, and unsupported
     *  features. */
    private static void collectNames(String body, int line, Map<String, Integer> filters, Map<String, Integer> tests,
            Map<String, Integer> unsupported) {
        String code = QUOTED.matcher(body).replaceAll("''");
        Matcher u = UNSUPPORTED_LOOP.matcher(code);
        while (u.find()) {
            unsupported.putIfAbsent(u.group(), line);
        }
        Matcher f = FILTER_NAME.matcher(code);
        while (f.find()) {
            filters.putIfAbsent(f.group(1), line);
        }
        Matcher t = TEST_NAME.matcher(code);
        while (t.find()) {
            tests.putIfAbsent(t.group(1), line);
        }
    }

    /** Removes the trailing spaces and tabs of {@code out} when they are all that follows the last line start. */
    private static void lstrip(StringBuilder out) {
        int k = out.length();
        while (k > 0 && (out.charAt(k - 1) == ' ' || out.charAt(k - 1) == '\t')) {
            k--;
        }
        if (k == 0 || out.charAt(k - 1) == '\n') {
            out.setLength(k);
        }
    }

    /** The index just past the closing delimiter of a tag whose body starts at {@code from}; quoted strings inside
     *  expressions and statements may contain the delimiter. An unclosed tag runs to the end (Jinjava reports it). */
    private static int tagEnd(String s, int from, char kind) {
        char close = kind == '{' ? '}' : kind;
        char quote = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (kind != '#' && (c == '\'' || c == '"')) {
                quote = c;
            } else if (c == close && i + 1 < s.length() && s.charAt(i + 1) == '}') {
                return i + 2;
            }
        }
        return s.length();
    }

    /** Whether the tag just copied to the end of {@code out} is {@code {% raw %}}. */
    private static boolean isRaw(StringBuilder out) {
        int open = out.lastIndexOf("{%");
        return open >= 0 && RAW.matcher(out.subSequence(open, out.length())).matches();
    }
}
