package org.aloe4j.medprompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.aloe4j.eval.data.Question;
import org.junit.jupiter.api.Test;

class ChoiceShuffleTest {

    @Test
    void membersGetDistinctPermutationsReproducibleFromTheSeed() {
        for (int members : new int[] {1, 5, 20, 24}) {
            List<OptionOrder> orders = ChoiceShuffle.orders(4, members, 42);
            assertEquals(members, orders.size());
            assertEquals(members, new HashSet<>(orders).size(), "distinct orders for " + members + " members");
            for (OptionOrder o : orders) {
                assertEquals(4, o.size());
                assertEquals(4, o.label().chars().distinct().count(), o.label());
                assertTrue(o.label().matches("[ABCD]{4}"), o.label());
            }
            assertEquals(orders, ChoiceShuffle.orders(4, members, 42), "same seed, same orders");
        }
        assertNotEquals(ChoiceShuffle.orders(4, 5, 42), ChoiceShuffle.orders(4, 5, 43));
        // five options (MedQA 5-option): 120 orders
        assertEquals(20, new HashSet<>(ChoiceShuffle.orders(5, 20, 7)).size());
    }

    @Test
    void moreMembersThanOrdersUseEveryOrderOncePerRound() {
        // PubMedQA's three options have 3! = 6 orders; 20 members = rounds of 6, 6, 6 and 2
        List<OptionOrder> orders = ChoiceShuffle.orders(3, 20, 5);
        for (int round = 0; round < 3; round++) {
            assertEquals(6, new HashSet<>(orders.subList(6 * round, 6 * round + 6)).size(), "round " + round);
        }
        assertEquals(2, new HashSet<>(orders.subList(18, 20)).size());
        Map<OptionOrder, Integer> uses = new HashMap<>();
        orders.forEach(o -> uses.merge(o, 1, Integer::sum));
        assertEquals(6, uses.size());
        assertTrue(uses.values().stream().allMatch(n -> n == 3 || n == 4), uses.toString());
        // two options: A B and B A alternate rounds
        assertEquals(Set.of("AB", "BA"), Set.of(ChoiceShuffle.orders(2, 2, 1).get(0).label(),
                ChoiceShuffle.orders(2, 2, 1).get(1).label()));
    }

    @Test
    void permutationsAreUniform() {
        // the first member's order over 24,000 seeds: each of the 24 orders ~1000 times; chi-square with 23 degrees
        // of freedom stays under 49.7 (p = 0.001) for a uniform draw
        Map<String, Integer> counts = new HashMap<>();
        int n = 24_000;
        for (int seed = 0; seed < n; seed++) {
            counts.merge(ChoiceShuffle.orders(4, 1, seed).getFirst().label(), 1, Integer::sum);
        }
        assertEquals(24, counts.size());
        double chi2 = 0;
        for (int c : counts.values()) {
            chi2 += Math.pow(c - n / 24.0, 2) / (n / 24.0);
        }
        assertTrue(chi2 < 49.7, "chi-square " + chi2);
    }

    @Test
    void lettersMapBackToTheOptionsAsGiven() {
        // shown A = original C, shown B = original A, shown C = original D, shown D = original B
        OptionOrder o = new OptionOrder(new int[] {2, 0, 3, 1});
        assertEquals("CADB", o.label());
        assertEquals("C", o.original("A"));
        assertEquals("A", o.original("B"));
        assertEquals("D", o.original("C"));
        assertEquals("B", o.original("D"));
        assertNull(o.original(null));
        assertNull(o.original("E"));
        for (String letter : List.of("A", "B", "C", "D")) {
            assertEquals(letter, o.original(o.shownLetterOf(letter)));
        }
        Question q = new Question("q", "", "", "Which?", List.of("w", "x", "y", "z"), "D");
        Question shown = o.apply(q);
        assertEquals(List.of("y", "w", "z", "x"), shown.options());
        assertEquals("C", shown.gold(), "the gold option z is shown third");
        assertEquals(q.gold(), o.original(shown.gold()));
        assertEquals("ABCD", OptionOrder.identity(4).label());
        assertThrows(IllegalArgumentException.class, () -> new OptionOrder(new int[] {0, 0, 1}));
        assertThrows(IllegalArgumentException.class, () -> new OptionOrder(new int[] {0, 3}));
    }

    @Test
    void badArgumentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ChoiceShuffle.orders(0, 5, 1));
        assertThrows(IllegalArgumentException.class, () -> ChoiceShuffle.orders(4, 0, 1));
        assertEquals(6, ChoiceShuffle.permutations(3));
        assertEquals(Long.MAX_VALUE, ChoiceShuffle.permutations(26));
    }
}
