package org.aloe4j.medprompt;

import java.util.Arrays;
import org.aloe4j.eval.data.Question;

/**
 * The order one ensemble member shows a question's options in: {@code shown[i]} is the original index of the option
 * printed at position i, labelled with the i-th letter. A letter the model answers is a shown letter;
 * {@link #original(String)} maps it back to the option's letter in the question as given.
 */
public record OptionOrder(int[] shown) {

    public OptionOrder {
        shown = shown.clone();
        boolean[] seen = new boolean[shown.length];
        for (int i : shown) {
            if (i < 0 || i >= shown.length || seen[i]) {
                throw new IllegalArgumentException("not a permutation: " + Arrays.toString(shown));
            }
            seen[i] = true;
        }
    }

    /** The options as given: A shown as A, B as B... */
    public static OptionOrder identity(int options) {
        int[] o = new int[options];
        Arrays.setAll(o, i -> i);
        return new OptionOrder(o);
    }

    public int size() {
        return shown.length;
    }

    /** The original letter of the option shown with {@code shownLetter}; null for null or a letter out of range. */
    public String original(String shownLetter) {
        int i = Question.indexOf(shownLetter);
        return i < 0 || i >= shown.length ? null : Question.letter(shown[i]);
    }

    /** The shown letter of the option whose original letter is {@code originalLetter}. */
    public String shownLetterOf(String originalLetter) {
        int o = Question.indexOf(originalLetter);
        for (int i = 0; i < shown.length; i++) {
            if (shown[i] == o) {
                return Question.letter(i);
            }
        }
        throw new IllegalArgumentException("no option " + originalLetter + " among " + shown.length);
    }

    /**
     * The original letters in shown order, e.g. "CADB": C is shown as A, A as B... (prompt_engine writes orders the
     * same way).
     */
    public String label() {
        StringBuilder sb = new StringBuilder(shown.length);
        for (int i : shown) {
            sb.append(Question.letter(i));
        }
        return sb.toString();
    }

    /** {@code q} with its options in this order (the gold letter follows its option). */
    public Question apply(Question q) {
        return q.reordered(shown);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OptionOrder other && Arrays.equals(shown, other.shown);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(shown);
    }

    @Override
    public String toString() {
        return label();
    }
}
