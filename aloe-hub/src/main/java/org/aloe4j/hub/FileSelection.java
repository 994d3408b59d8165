package org.aloe4j.hub;

import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Which files of a repository to fetch, with the glob rules of {@code huggingface_hub}'s {@code allow_patterns} /
 * {@code ignore_patterns} (Python's {@code fnmatchcase}): {@code *} matches any run of characters including
 * {@code /}, {@code ?} one character, {@code [abc]} / {@code [!abc]} a set; a pattern ending in {@code /} means the
 * whole folder. A file is selected when it matches some include pattern (or there are none) and no exclude pattern.
 *
 * @param include the allow patterns; empty means every file
 * @param exclude the ignore patterns
 */
public record FileSelection(List<String> include, List<String> exclude) implements Predicate<String> {

    public FileSelection {
        include = List.copyOf(include);
        exclude = List.copyOf(exclude);
    }

    /** Every file of the repository. */
    public static FileSelection all() {
        return new FileSelection(List.of(), List.of());
    }

    /** The files matching any of these globs. */
    public static FileSelection including(List<String> globs) {
        return new FileSelection(globs, List.of());
    }

    /** Exactly these paths (glob characters in them are taken literally). */
    public static FileSelection exactly(List<String> paths) {
        return new FileSelection(paths.stream().map(FileSelection::escape).toList(), List.of());
    }

    public FileSelection excluding(List<String> globs) {
        return new FileSelection(include, java.util.stream.Stream.concat(exclude.stream(), globs.stream()).toList());
    }

    @Override
    public boolean test(String path) {
        if (!include.isEmpty() && include.stream().noneMatch(p -> matches(path, p))) {
            return false;
        }
        return exclude.stream().noneMatch(p -> matches(path, p));
    }

    /** Python's {@code fnmatch.fnmatchcase(path, pattern)} after {@code huggingface_hub}'s folder rule. */
    public static boolean matches(String path, String pattern) {
        String p = pattern.replace('\\', '/');
        if (p.endsWith("/")) {
            p = p + "*";
        }
        return toRegex(p).matcher(path.replace('\\', '/')).matches();
    }

    private static Pattern toRegex(String glob) {
        StringBuilder re = new StringBuilder();
        int i = 0;
        int n = glob.length();
        while (i < n) {
            char c = glob.charAt(i++);
            if (c == '*') {
                re.append(".*");
            } else if (c == '?') {
                re.append('.');
            } else if (c == '[') {
                int j = i;
                if (j < n && glob.charAt(j) == '!') {
                    j++;
                }
                if (j < n && glob.charAt(j) == ']') {
                    j++;
                }
                while (j < n && glob.charAt(j) != ']') {
                    j++;
                }
                if (j >= n) {
                    re.append("\\[");   // no closing bracket: a literal '[' as in fnmatch
                } else {
                    String set = glob.substring(i, j);
                    i = j + 1;
                    StringBuilder cls = new StringBuilder("[");
                    int k = 0;
                    if (set.startsWith("!")) {
                        cls.append('^');
                        k = 1;
                    }
                    for (; k < set.length(); k++) {
                        char s = set.charAt(k);
                        if (s == '\\' || s == '[' || s == ']' || s == '&' || s == '^' || s == '~') {
                            cls.append('\\');
                        }
                        cls.append(s);
                    }
                    re.append(cls).append(']');
                }
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    private static String escape(String path) {
        StringBuilder sb = new StringBuilder();
        for (char c : path.toCharArray()) {
            if (c == '*' || c == '?' || c == '[') {
                sb.append('[').append(c).append(']');
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
