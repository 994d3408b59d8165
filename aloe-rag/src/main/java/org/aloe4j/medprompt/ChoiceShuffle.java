package org.aloe4j.medprompt;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Medprompt's choice-shuffle ensemble: each member sees the options in another random order (permutation drawn
 * uniformly, the order as given included), so that a model's preference for a position cannot decide the vote.
 *
 * <p>Orders are distinct as long as there are enough: with n options there are n! of them (24 for MedQA's four,
 * 6 for PubMedQA's three). Asked for more, every order is used once before any repeats (rounds of n! distinct
 * orders); prompt_engine instead falls back to the order as given for the surplus members, which would weight that
 * one order.
 */
public final class ChoiceShuffle {
    private ChoiceShuffle() {}

    /** {@code members} orders of {@code options} options, drawn from {@code seed} (same seed, same orders). */
    public static List<OptionOrder> orders(int options, int members, long seed) {
        if (options < 1) {
            throw new IllegalArgumentException("options must be >= 1: " + options);
        }
        if (members < 1) {
            throw new IllegalArgumentException("ensemble members must be >= 1: " + members);
        }
        long distinct = permutations(options);
        SplittableRandom rng = new SplittableRandom(seed);
        List<OptionOrder> out = new ArrayList<>(members);
        Set<OptionOrder> round = new HashSet<>();
        while (out.size() < members) {
            if (round.size() == distinct) {
                round.clear(); // every order used: start another round
            }
            OptionOrder o = random(options, rng);
            if (round.add(o)) {
                out.add(o);
            }
        }
        return out;
    }

    /** n!, or Long.MAX_VALUE when that does not fit (never reached by an ensemble). */
    static long permutations(int n) {
        long f = 1;
        for (int i = 2; i <= n; i++) {
            if (f > Long.MAX_VALUE / i) {
                return Long.MAX_VALUE;
            }
            f *= i;
        }
        return f;
    }

    /** A uniform permutation (Fisher-Yates). */
    private static OptionOrder random(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return new OptionOrder(p);
    }
}
