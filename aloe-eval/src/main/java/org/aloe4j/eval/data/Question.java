package org.aloe4j.eval.data;

import java.util.List;
import java.util.Objects;

/**
 * One multiple-choice item: options in their order (labelled A, B, C... by position), the gold option's letter,
 * and for PubMedQA the abstract in {@code context} (empty when there is none).
 */
public record Question(String id, String subject, String context, String question, List<String> options,
                       String gold) {

    public Question {
        Objects.requireNonNull(id, "id");
        subject = subject == null ? "" : subject;
        context = context == null ? "" : context;
        Objects.requireNonNull(question, "question");
        options = List.copyOf(options);
        if (options.size() < 2 || options.size() > 26) {
            throw new IllegalArgumentException(id + ": " + options.size() + " options (2..26 expected)");
        }
        int g = indexOf(gold);
        if (g < 0 || g >= options.size()) {
            throw new IllegalArgumentException(id + ": gold answer '" + gold + "' is not one of A.."
                    + letter(options.size() - 1));
        }
    }

    /** The letter of option {@code index}: 0 -> "A". */
    public static String letter(int index) {
        return String.valueOf((char) ('A' + index));
    }

    /** The index of a one-letter label ("A" -> 0), or -1. */
    public static int indexOf(String letter) {
        if (letter == null || letter.length() != 1) {
            return -1;
        }
        char c = letter.charAt(0);
        return c >= 'A' && c <= 'Z' ? c - 'A' : -1;
    }

    /** The option letters of this question: A, B, C... */
    public List<String> letters() {
        return java.util.stream.IntStream.range(0, options.size()).mapToObj(Question::letter).toList();
    }

    public int goldIndex() {
        return indexOf(gold);
    }

    /**
     * This question with its options shown in another order: {@code order[i]} is the original index of the option
     * shown at position i. The gold letter follows its option. (For choice-shuffle ensembles.)
     */
    public Question reordered(int[] order) {
        if (order.length != options.size()) {
            throw new IllegalArgumentException("order has " + order.length + " entries for " + options.size()
                    + " options");
        }
        boolean[] seen = new boolean[order.length];
        String[] shown = new String[order.length];
        int newGold = -1;
        for (int i = 0; i < order.length; i++) {
            if (order[i] < 0 || order[i] >= order.length || seen[order[i]]) {
                throw new IllegalArgumentException("not a permutation: " + java.util.Arrays.toString(order));
            }
            seen[order[i]] = true;
            shown[i] = options.get(order[i]);
            if (order[i] == goldIndex()) {
                newGold = i;
            }
        }
        return new Question(id, subject, context, question, List.of(shown), letter(newGold));
    }
}
