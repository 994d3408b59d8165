package org.aloe4j.eval.openended;

import java.util.Map;

/**
 * The Porter stemmer as NLTK runs it by default ({@code PorterStemmer()} = mode NLTK_EXTENSIONS), which is the
 * stemmer Google's rouge-score uses ({@code tokenizers.DefaultTokenizer}: {@code porter.PorterStemmer()}).
 * It is Porter (1980) plus: a table of irregular forms; words of one or two letters left alone; "ies"/"ied" of
 * four-letter words -> "ie"; other "ied" -> "i"; step 1c turns y into i only after a consonant that is not the
 * first letter; step 2's "alli" is applied first and its result goes through step 2 again, "bli" -> "ble" instead
 * of "abli" -> "able", and the extra rules "fulli" -> "ful" and "logi" -> "log"; step 1b's cvc test also accepts a
 * two-letter vowel-consonant stem. Input is expected in lower case.
 */
public final class PorterStemmer {

    private static final Map<String, String> IRREGULAR = Map.ofEntries(
            Map.entry("sky", "sky"), Map.entry("skies", "sky"), Map.entry("dying", "die"),
            Map.entry("lying", "lie"), Map.entry("tying", "tie"), Map.entry("news", "news"),
            Map.entry("innings", "inning"), Map.entry("inning", "inning"), Map.entry("outings", "outing"),
            Map.entry("outing", "outing"), Map.entry("cannings", "canning"), Map.entry("canning", "canning"),
            Map.entry("howe", "howe"), Map.entry("proceed", "proceed"), Map.entry("exceed", "exceed"),
            Map.entry("succeed", "succeed"));

    public String stem(String word) {
        String w = word.toLowerCase(java.util.Locale.ROOT);
        String irregular = IRREGULAR.get(w);
        if (irregular != null) {
            return irregular;
        }
        if (w.length() <= 2) {
            return w;
        }
        w = step1a(w);
        w = step1b(w);
        w = step1c(w);
        w = step2(w);
        w = step3(w);
        w = step4(w);
        w = step5a(w);
        return step5b(w);
    }

    // ------------------------------------------------------------------------------------------- letter classes

    /** Porter's consonant: not a, e, i, o, u, and not a y that follows a consonant. */
    private static boolean consonant(String w, int i) {
        char c = w.charAt(i);
        if (c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u') {
            return false;
        }
        if (c == 'y') {
            return i == 0 || !consonant(w, i - 1);
        }
        return true;
    }

    /** m in [C](VC){m}[V]: the number of vowel-to-consonant changes. */
    private static int measure(String stem) {
        int m = 0;
        for (int i = 1; i < stem.length(); i++) {
            if (consonant(stem, i) && !consonant(stem, i - 1)) {
                m++;
            }
        }
        return m;
    }

    private static boolean hasVowel(String stem) {
        for (int i = 0; i < stem.length(); i++) {
            if (!consonant(stem, i)) {
                return true;
            }
        }
        return false;
    }

    private static boolean endsDoubleConsonant(String w) {
        int n = w.length();
        return n >= 2 && w.charAt(n - 1) == w.charAt(n - 2) && consonant(w, n - 1);
    }

    /** *o: ends consonant-vowel-consonant, the last not w, x or y; or (NLTK) is exactly vowel-consonant. */
    private static boolean endsCvc(String w) {
        int n = w.length();
        if (n >= 3 && consonant(w, n - 3) && !consonant(w, n - 2) && consonant(w, n - 1)) {
            char c = w.charAt(n - 1);
            if (c != 'w' && c != 'x' && c != 'y') {
                return true;
            }
        }
        return n == 2 && !consonant(w, 0) && consonant(w, 1);
    }

    // ------------------------------------------------------------------------------------------------- rules

    private interface Condition {
        boolean test(String stem);
    }

    private record Rule(String suffix, String replacement, Condition condition) {}

    private static Rule rule(String suffix, String replacement, Condition c) {
        return new Rule(suffix, replacement, c);
    }

    /** The first rule whose suffix matches decides: replaced when its condition holds, else the word stays. */
    private static String applyFirst(String w, Rule... rules) {
        for (Rule r : rules) {
            if (w.endsWith(r.suffix())) {
                String stem = w.substring(0, w.length() - r.suffix().length());
                return r.condition() == null || r.condition().test(stem) ? stem + r.replacement() : w;
            }
        }
        return w;
    }

    private static final Condition M_GT_0 = s -> measure(s) > 0;
    private static final Condition M_GT_1 = s -> measure(s) > 1;

    private static String step1a(String w) {
        if (w.endsWith("ies") && w.length() == 4) {
            return w.substring(0, 1) + "ie";
        }
        return applyFirst(w, rule("sses", "ss", null), rule("ies", "i", null), rule("ss", "ss", null),
                rule("s", "", null));
    }

    private static String step1b(String w) {
        if (w.endsWith("ied")) {
            return w.length() == 4 ? w.substring(0, 1) + "ie" : w.substring(0, w.length() - 3) + "i";
        }
        if (w.endsWith("eed")) {
            String stem = w.substring(0, w.length() - 3);
            return measure(stem) > 0 ? stem + "ee" : w;
        }
        String stem = null;
        if (w.endsWith("ed") && hasVowel(w.substring(0, w.length() - 2))) {
            stem = w.substring(0, w.length() - 2);
        } else if (w.endsWith("ing") && hasVowel(w.substring(0, w.length() - 3))) {
            stem = w.substring(0, w.length() - 3);
        }
        if (stem == null) {
            return w;
        }
        if (stem.endsWith("at") || stem.endsWith("bl") || stem.endsWith("iz")) {
            return stem + "e";
        }
        if (endsDoubleConsonant(stem)) {
            char last = stem.charAt(stem.length() - 1);
            return last == 'l' || last == 's' || last == 'z' ? stem : stem.substring(0, stem.length() - 1);
        }
        if (measure(stem) == 1 && endsCvc(stem)) {
            return stem + "e";
        }
        return stem;
    }

    private static String step1c(String w) {
        if (w.endsWith("y")) {
            String stem = w.substring(0, w.length() - 1);
            if (stem.length() > 1 && consonant(stem, stem.length() - 1)) {
                return stem + "i";
            }
        }
        return w;
    }

    private static String step2(String w) {
        if (w.endsWith("alli") && measure(w.substring(0, w.length() - 4)) > 0) {
            return step2(w.substring(0, w.length() - 4) + "al");
        }
        String word = w;
        return applyFirst(w,
                rule("ational", "ate", M_GT_0),
                rule("tional", "tion", M_GT_0),
                rule("enci", "ence", M_GT_0),
                rule("anci", "ance", M_GT_0),
                rule("izer", "ize", M_GT_0),
                rule("bli", "ble", M_GT_0),
                rule("alli", "al", M_GT_0),
                rule("entli", "ent", M_GT_0),
                rule("eli", "e", M_GT_0),
                rule("ousli", "ous", M_GT_0),
                rule("ization", "ize", M_GT_0),
                rule("ation", "ate", M_GT_0),
                rule("ator", "ate", M_GT_0),
                rule("alism", "al", M_GT_0),
                rule("iveness", "ive", M_GT_0),
                rule("fulness", "ful", M_GT_0),
                rule("ousness", "ous", M_GT_0),
                rule("aliti", "al", M_GT_0),
                rule("iviti", "ive", M_GT_0),
                rule("biliti", "ble", M_GT_0),
                rule("fulli", "ful", M_GT_0),
                // the 'l' of "logi" stays with the stem: the measure is taken on the word minus "ogi" (NLTK)
                rule("logi", "log", s -> measure(word.substring(0, word.length() - 3)) > 0));
    }

    private static String step3(String w) {
        return applyFirst(w,
                rule("icate", "ic", M_GT_0),
                rule("ative", "", M_GT_0),
                rule("alize", "al", M_GT_0),
                rule("iciti", "ic", M_GT_0),
                rule("ical", "ic", M_GT_0),
                rule("ful", "", M_GT_0),
                rule("ness", "", M_GT_0));
    }

    private static String step4(String w) {
        return applyFirst(w,
                rule("al", "", M_GT_1),
                rule("ance", "", M_GT_1),
                rule("ence", "", M_GT_1),
                rule("er", "", M_GT_1),
                rule("ic", "", M_GT_1),
                rule("able", "", M_GT_1),
                rule("ible", "", M_GT_1),
                rule("ant", "", M_GT_1),
                rule("ement", "", M_GT_1),
                rule("ment", "", M_GT_1),
                rule("ent", "", M_GT_1),
                rule("ion", "", s -> measure(s) > 1 && (s.endsWith("s") || s.endsWith("t"))),
                rule("ou", "", M_GT_1),
                rule("ism", "", M_GT_1),
                rule("ate", "", M_GT_1),
                rule("iti", "", M_GT_1),
                rule("ous", "", M_GT_1),
                rule("ive", "", M_GT_1),
                rule("ize", "", M_GT_1));
    }

    private static String step5a(String w) {
        if (w.endsWith("e")) {
            String stem = w.substring(0, w.length() - 1);
            int m = measure(stem);
            if (m > 1 || (m == 1 && !endsCvc(stem))) {
                return stem;
            }
        }
        return w;
    }

    private static String step5b(String w) {
        if (w.endsWith("ll") && measure(w.substring(0, w.length() - 1)) > 1) {
            return w.substring(0, w.length() - 1);
        }
        return w;
    }
}
