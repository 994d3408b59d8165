package org.aloe4j.eval.method;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A majority vote over the runs' answers (null = a run with no parsable answer, which does not vote). {@code winner}
 * is null when no run answered. {@code draw} when another answer has as many votes as the winner.
 */
public record Vote(String winner, int topCount, boolean draw, Map<String, Integer> counts) {

    public static Vote of(List<String> answersInRunOrder, TieBreak rule) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (String a : answersInRunOrder) {
            if (a != null) {
                counts.merge(a, 1, Integer::sum);
            }
        }
        if (counts.isEmpty()) {
            return new Vote(null, 0, false, Map.of());
        }
        int top = Collections.max(counts.values());
        String winner = null;
        if (rule == TieBreak.FIRST_SEEN) {
            for (var e : counts.entrySet()) { // insertion order = order of first appearance
                if (e.getValue() == top) {
                    winner = e.getKey();
                    break;
                }
            }
        } else {
            Map<String, Integer> running = new LinkedHashMap<>();
            for (String a : answersInRunOrder) {
                if (a != null && running.merge(a, 1, Integer::sum) == top && counts.get(a) == top) {
                    winner = a;
                    break;
                }
            }
        }
        long atTop = counts.values().stream().filter(c -> c == top).count();
        return new Vote(winner, top, atTop > 1, Collections.unmodifiableMap(counts));
    }
}
