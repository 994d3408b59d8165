package org.aloe4j.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Finds added-token texts (such as {@code <|im_start|>}) in a string, leftmost match first and the longest token
 * at that position, like Hugging Face's AddedVocabulary (an Aho-Corasick automaton in leftmost-longest mode).
 * Candidates are grouped by first character; added vocabularies are small (tens to a few hundred entries).
 */
final class AddedTokenMatcher {
    private record Candidate(String text, int id) {}

    private final Map<Character, Candidate[]> byFirstChar = new HashMap<>();

    AddedTokenMatcher(Map<String, Integer> tokens) {
        Map<Character, List<Candidate>> groups = new HashMap<>();
        tokens.forEach((text, id) -> {
            if (!text.isEmpty()) {
                groups.computeIfAbsent(text.charAt(0), c -> new ArrayList<>()).add(new Candidate(text, id));
            }
        });
        groups.forEach((c, list) -> {
            list.sort(Comparator.comparingInt((Candidate cand) -> cand.text.length()).reversed());
            byFirstChar.put(c, list.toArray(Candidate[]::new));
        });
    }

    boolean isEmpty() {
        return byFirstChar.isEmpty();
    }

    /**
     * Splits {@code text} into plain segments and added tokens, calling {@code onText} with each non-empty plain
     * segment and {@code onToken} with each matched id, in order.
     */
    void split(String text, Consumer<String> onText, IntConsumer onToken) {
        int segmentStart = 0;
        int i = 0;
        int n = text.length();
        while (i < n) {
            Candidate[] candidates = byFirstChar.get(text.charAt(i));
            Candidate match = null;
            if (candidates != null) {
                for (Candidate c : candidates) {
                    if (text.startsWith(c.text, i)) {
                        match = c;
                        break;
                    }
                }
            }
            if (match == null) {
                i++;
                continue;
            }
            if (i > segmentStart) {
                onText.accept(text.substring(segmentStart, i));
            }
            onToken.accept(match.id);
            i += match.text.length();
            segmentStart = i;
        }
        if (segmentStart < n) {
            onText.accept(text.substring(segmentStart));
        }
    }
}
