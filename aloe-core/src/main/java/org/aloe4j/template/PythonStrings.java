package org.aloe4j.template;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Python {@code str} methods as chat templates call them ({@code message.content.strip()},
 * {@code .startswith('<think>')}, {@code .split('</think>')}...). Jinjava would otherwise call the Java method of the
 * same name when there is one, with other rules (Java's split takes a regex and drops trailing empty strings; its
 * strip does not count U+00A0 as whitespace), or fail when there is none.
 */
final class PythonStrings {
    private PythonStrings() {}

    /** Returned by {@link #call} for a method it does not know. */
    static final Object NOT_A_STR_METHOD = new Object();

    /** Python's str.isspace() for one code point (Unicode White_Space plus the ASCII separators 0x1c-0x1f). */
    static boolean isPythonWhitespace(int cp) {
        return switch (cp) {
            case '\t', '\n', 0x0b, '\f', '\r', 0x1c, 0x1d, 0x1e, 0x1f, ' ', 0x85, 0xa0, 0x1680, 0x2028, 0x2029,
                    0x202f, 0x205f, 0x3000 -> true;
            default -> cp >= 0x2000 && cp <= 0x200a;
        };
    }

    /** Python string order: by code point (Java's compareTo orders by UTF-16 unit, which differs above U+FFFF). */
    static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /** len(s) in Python counts code points. */
    static int length(String s) {
        return s.codePointCount(0, s.length());
    }

    static String strip(String s, String chars, boolean left, boolean right) {
        int start = 0;
        int end = s.length();
        if (left) {
            while (start < end) {
                int cp = s.codePointAt(start);
                if (!stripped(cp, chars)) {
                    break;
                }
                start += Character.charCount(cp);
            }
        }
        if (right) {
            while (end > start) {
                int cp = s.codePointBefore(end);
                if (!stripped(cp, chars)) {
                    break;
                }
                end -= Character.charCount(cp);
            }
        }
        return s.substring(start, end);
    }

    private static boolean stripped(int cp, String chars) {
        return chars == null ? isPythonWhitespace(cp) : chars.indexOf(Character.toString(cp)) >= 0;
    }

    /** str.split(sep=None, maxsplit=-1). */
    static List<String> split(String s, String sep, int maxSplit) {
        List<String> parts = new ArrayList<>();
        if (sep == null) {
            int n = s.length();
            int i = 0;
            while (true) {
                while (i < n && isPythonWhitespace(s.codePointAt(i))) {
                    i += Character.charCount(s.codePointAt(i));
                }
                if (i >= n) {
                    break;
                }
                if (maxSplit >= 0 && parts.size() == maxSplit) {
                    parts.add(s.substring(i));
                    break;
                }
                int j = i;
                while (j < n && !isPythonWhitespace(s.codePointAt(j))) {
                    j += Character.charCount(s.codePointAt(j));
                }
                parts.add(s.substring(i, j));
                i = j;
            }
            return parts;
        }
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("str.split: empty separator");
        }
        int from = 0;
        while (maxSplit < 0 || parts.size() < maxSplit) {
            int at = s.indexOf(sep, from);
            if (at < 0) {
                break;
            }
            parts.add(s.substring(from, at));
            from = at + sep.length();
        }
        parts.add(s.substring(from));
        return parts;
    }

    /** str.rsplit(sep=None, maxsplit=-1): like split but counting splits from the right. */
    static List<String> rsplit(String s, String sep, int maxSplit) {
        List<String> parts = new ArrayList<>();
        if (sep == null) {
            int j = s.length();
            while (true) {
                while (j > 0 && isPythonWhitespace(s.codePointBefore(j))) {
                    j -= Character.charCount(s.codePointBefore(j));
                }
                if (j <= 0) {
                    break;
                }
                if (maxSplit >= 0 && parts.size() == maxSplit) {
                    parts.add(0, s.substring(0, j));
                    break;
                }
                int i = j;
                while (i > 0 && !isPythonWhitespace(s.codePointBefore(i))) {
                    i -= Character.charCount(s.codePointBefore(i));
                }
                parts.add(0, s.substring(i, j));
                j = i;
            }
            return parts;
        }
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("str.rsplit: empty separator");
        }
        int to = s.length();
        while (maxSplit < 0 || parts.size() < maxSplit) {
            int at = s.lastIndexOf(sep, to - sep.length());
            if (at < 0) {
                break;
            }
            parts.add(0, s.substring(at + sep.length(), to));
            to = at;
        }
        parts.add(0, s.substring(0, to));
        return parts;
    }

    /** str.replace(old, new, count=-1), including Python's rule for an empty {@code old}. */
    static String replace(String s, String old, String replacement, int count) {
        if (count < 0) {
            count = Integer.MAX_VALUE;
        }
        StringBuilder out = new StringBuilder();
        if (old.isEmpty()) {
            int done = 0;
            int i = 0;
            while (i < s.length()) {
                if (done < count) {
                    out.append(replacement);
                    done++;
                }
                int cp = s.codePointAt(i);
                out.appendCodePoint(cp);
                i += Character.charCount(cp);
            }
            if (done < count) {
                out.append(replacement);
            }
            return out.toString();
        }
        int from = 0;
        int done = 0;
        while (done < count) {
            int at = s.indexOf(old, from);
            if (at < 0) {
                break;
            }
            out.append(s, from, at).append(replacement);
            from = at + old.length();
            done++;
        }
        return out.append(s, from, s.length()).toString();
    }

    static String title(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean previousCased = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            out.appendCodePoint(previousCased ? Character.toLowerCase(cp) : Character.toTitleCase(cp));
            previousCased = isCased(cp);
        }
        return out.toString();
    }

    static String capitalize(String s) {
        if (s.isEmpty()) {
            return s;
        }
        int first = s.codePointAt(0);
        return new StringBuilder().appendCodePoint(Character.toTitleCase(first))
                .append(s.substring(Character.charCount(first)).toLowerCase(Locale.ROOT)).toString();
    }

    private static boolean isCased(int cp) {
        return Character.isUpperCase(cp) || Character.isLowerCase(cp) || Character.isTitleCase(cp);
    }

    /** Python's index counts code points; Java's counts UTF-16 units. */
    private static int codePointIndex(String s, int utf16Index) {
        return utf16Index < 0 ? -1 : s.codePointCount(0, utf16Index);
    }

    private static int count(String s, String sub) {
        if (sub.isEmpty()) {
            return length(s) + 1;
        }
        int n = 0;
        int from = 0;
        while (true) {
            int at = s.indexOf(sub, from);
            if (at < 0) {
                return n;
            }
            n++;
            from = at + sub.length();
        }
    }

    private static boolean all(String s, java.util.function.IntPredicate p) {
        return !s.isEmpty() && s.codePoints().allMatch(p);
    }

    private static boolean startsOrEnds(String s, Object affix, boolean start) {
        if (affix instanceof Collection<?> options) {
            for (Object o : options) {
                if (startsOrEnds(s, o, start)) {
                    return true;
                }
            }
            return false;
        }
        if (!(affix instanceof String a)) {
            throw new IllegalArgumentException((start ? "startswith" : "endswith")
                    + " first arg must be str or a tuple of str, not " + PythonValues.repr(affix));
        }
        return start ? s.startsWith(a) : s.endsWith(a);
    }

    /**
     * Calls Python method {@code name} on {@code s}, or returns {@link #NOT_A_STR_METHOD}. Argument errors are
     * {@link IllegalArgumentException}s with Python-like messages.
     */
    static Object call(String s, String name, Object[] args) {
        return switch (name) {
            case "strip" -> strip(s, optString(args, 0, name), true, true);
            case "lstrip" -> strip(s, optString(args, 0, name), true, false);
            case "rstrip" -> strip(s, optString(args, 0, name), false, true);
            case "split" -> split(s, optString(args, 0, name), optInt(args, 1, -1, name));
            case "rsplit" -> rsplit(s, optString(args, 0, name), optInt(args, 1, -1, name));
            case "splitlines" -> splitLines(s);
            case "startswith" -> startsOrEnds(s, arg(args, 0, name), true);
            case "endswith" -> startsOrEnds(s, arg(args, 0, name), false);
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "lower" -> s.toLowerCase(Locale.ROOT);
            case "title" -> title(s);
            case "capitalize" -> capitalize(s);
            case "replace" -> replace(s, string(arg(args, 0, name), name), string(arg(args, 1, name), name),
                    optInt(args, 2, -1, name));
            case "count" -> count(s, string(arg(args, 0, name), name));
            case "find" -> codePointIndex(s, s.indexOf(string(arg(args, 0, name), name)));
            case "rfind" -> codePointIndex(s, s.lastIndexOf(string(arg(args, 0, name), name)));
            case "join" -> join(s, arg(args, 0, name));
            case "isspace" -> all(s, PythonStrings::isPythonWhitespace);
            case "isalpha" -> all(s, Character::isLetter);
            case "isdigit", "isdecimal", "isnumeric" -> all(s, Character::isDigit);
            case "isalnum" -> all(s, Character::isLetterOrDigit);
            case "isupper" -> s.codePoints().anyMatch(PythonStrings::isCased)
                    && s.codePoints().noneMatch(Character::isLowerCase);
            case "islower" -> s.codePoints().anyMatch(PythonStrings::isCased)
                    && s.codePoints().noneMatch(c -> Character.isUpperCase(c) || Character.isTitleCase(c));
            default -> NOT_A_STR_METHOD;
        };
    }

    private static List<String> splitLines(String s) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            boolean lineBreak = c == '\n' || c == '\r' || c == 0x0b || c == 0x0c || c == 0x1c || c == 0x1d
                    || c == 0x1e || c == 0x85 || c == 0x2028 || c == 0x2029;
            if (lineBreak) {
                lines.add(s.substring(start, i));
                i += (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') ? 2 : 1;
                start = i;
            } else {
                i++;
            }
        }
        if (start < s.length()) {
            lines.add(s.substring(start));
        }
        return lines;
    }

    private static String join(String sep, Object items) {
        if (!(items instanceof Iterable<?> it)) {
            throw new IllegalArgumentException("str.join: can only join an iterable");
        }
        StringBuilder out = new StringBuilder();
        boolean first = true;
        for (Object o : it) {
            if (!(o instanceof CharSequence)) {
                throw new IllegalArgumentException(
                        "str.join: sequence item: expected str instance, " + PythonValues.repr(o) + " found");
            }
            if (!first) {
                out.append(sep);
            }
            first = false;
            out.append(o);
        }
        return out.toString();
    }

    private static Object arg(Object[] args, int i, String method) {
        if (args == null || args.length <= i) {
            throw new IllegalArgumentException("str." + method + ": missing argument " + (i + 1));
        }
        return args[i];
    }

    private static String string(Object o, String method) {
        if (o instanceof CharSequence cs) {
            return cs.toString();
        }
        throw new IllegalArgumentException("str." + method + ": expected a str argument, got " + PythonValues.repr(o));
    }

    private static String optString(Object[] args, int i, String method) {
        if (args == null || args.length <= i || args[i] == null) {
            return null;
        }
        return string(args[i], method);
    }

    private static int optInt(Object[] args, int i, int dflt, String method) {
        if (args == null || args.length <= i || args[i] == null) {
            return dflt;
        }
        if (args[i] instanceof Number num) {
            return num.intValue();
        }
        throw new IllegalArgumentException("str." + method + ": expected an int argument, got " + PythonValues.repr(args[i]));
    }
}
