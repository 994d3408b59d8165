package org.aloe4j.eval.openended;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * ROUGE with the semantics of Google's rouge-score ({@code rouge_scorer.RougeScorer}): text lower-cased, every run
 * of characters outside [a-z0-9] replaced by a space, split on whitespace, tokens longer than 3 characters stemmed
 * with NLTK's default Porter stemmer ({@link PorterStemmer}) when stemming is on, then only [a-z0-9]+ tokens kept.
 * ROUGE-N from clipped n-gram counts (precision over the prediction's n-grams, recall over the target's, both
 * divided by max(count, 1)); ROUGE-L from the longest common subsequence of the whole texts; ROUGE-Lsum from the
 * union LCS of newline-separated sentences, with rouge-score's guard against counting a token twice.
 */
public final class Rouge {

    private static final Pattern NON_ALNUM = Pattern.compile("[^a-z0-9]+");
    private static final Pattern SPACES = Pattern.compile("\\s+");
    private static final Pattern VALID = Pattern.compile("^[a-z0-9]+$");

    private final PorterStemmer stemmer;

    public Rouge(boolean useStemmer) {
        this.stemmer = useStemmer ? new PorterStemmer() : null;
    }

    /** rouge-score's tokenizer. */
    public List<String> tokenize(String text) {
        String t = NON_ALNUM.matcher(text.toLowerCase(Locale.ROOT)).replaceAll(" ");
        List<String> out = new ArrayList<>();
        for (String tok : SPACES.split(t, -1)) {
            String s = stemmer != null && tok.length() > 3 ? stemmer.stem(tok) : tok;
            if (VALID.matcher(s).matches()) {
                out.add(s);
            }
        }
        return out;
    }

    public RougeScore rougeN(String target, String prediction, int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("ROUGE-N needs n > 0: " + n);
        }
        Map<List<String>, Integer> t = ngrams(tokenize(target), n);
        Map<List<String>, Integer> p = ngrams(tokenize(prediction), n);
        int overlap = 0;
        for (var e : t.entrySet()) {
            overlap += Math.min(e.getValue(), p.getOrDefault(e.getKey(), 0));
        }
        int tc = t.values().stream().mapToInt(Integer::intValue).sum();
        int pc = p.values().stream().mapToInt(Integer::intValue).sum();
        return RougeScore.of((double) overlap / Math.max(pc, 1), (double) overlap / Math.max(tc, 1));
    }

    public RougeScore rougeL(String target, String prediction) {
        List<String> t = tokenize(target);
        List<String> p = tokenize(prediction);
        if (t.isEmpty() || p.isEmpty()) {
            return RougeScore.ZERO;
        }
        int lcs = lcsTable(t, p)[t.size()][p.size()];
        return RougeScore.of((double) lcs / p.size(), (double) lcs / t.size());
    }

    public RougeScore rougeLsum(String target, String prediction) {
        List<List<String>> ref = sentences(target);
        List<List<String>> can = sentences(prediction);
        if (ref.isEmpty() || can.isEmpty()) {
            return RougeScore.ZERO;
        }
        int m = ref.stream().mapToInt(List::size).sum();
        int n = can.stream().mapToInt(List::size).sum();
        if (m == 0 || n == 0) {
            return RougeScore.ZERO;
        }
        Map<String, Integer> refCounts = counts(ref);
        Map<String, Integer> canCounts = counts(can);
        int hits = 0;
        for (List<String> r : ref) {
            TreeSet<Integer> union = new TreeSet<>();
            for (List<String> c : can) {
                union.addAll(lcsIndices(r, c));
            }
            for (int i : union) {
                String tok = r.get(i);
                if (canCounts.getOrDefault(tok, 0) > 0 && refCounts.getOrDefault(tok, 0) > 0) {
                    hits++;
                    canCounts.merge(tok, -1, Integer::sum);
                    refCounts.merge(tok, -1, Integer::sum);
                }
            }
        }
        return RougeScore.of((double) hits / n, (double) hits / m);
    }

    private List<List<String>> sentences(String text) {
        List<List<String>> out = new ArrayList<>();
        for (String s : text.split("\n", -1)) {
            if (!s.isEmpty()) {
                out.add(tokenize(s));
            }
        }
        return out;
    }

    private static Map<String, Integer> counts(List<List<String>> sents) {
        Map<String, Integer> c = new HashMap<>();
        sents.forEach(s -> s.forEach(t -> c.merge(t, 1, Integer::sum)));
        return c;
    }

    private static Map<List<String>, Integer> ngrams(List<String> tokens, int n) {
        Map<List<String>, Integer> m = new HashMap<>();
        for (int i = 0; i + n <= tokens.size(); i++) {
            m.merge(List.copyOf(tokens.subList(i, i + n)), 1, Integer::sum);
        }
        return m;
    }

    static int[][] lcsTable(List<String> ref, List<String> can) {
        int[][] t = new int[ref.size() + 1][can.size() + 1];
        for (int i = 1; i <= ref.size(); i++) {
            for (int j = 1; j <= can.size(); j++) {
                t[i][j] = ref.get(i - 1).equals(can.get(j - 1)) ? t[i - 1][j - 1] + 1
                        : Math.max(t[i - 1][j], t[i][j - 1]);
            }
        }
        return t;
    }

    /** The reference indices of one LCS, read back the way rouge-score's {@code _backtrack_norec} does. */
    static List<Integer> lcsIndices(List<String> ref, List<String> can) {
        int[][] t = lcsTable(ref, can);
        List<Integer> out = new ArrayList<>();
        int i = ref.size();
        int j = can.size();
        while (i > 0 && j > 0) {
            if (ref.get(i - 1).equals(can.get(j - 1))) {
                out.addFirst(i - 1);
                i--;
                j--;
            } else if (t[i][j - 1] > t[i - 1][j]) {
                j--;
            } else {
                i--;
            }
        }
        return out;
    }
}
