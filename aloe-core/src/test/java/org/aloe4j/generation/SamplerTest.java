package org.aloe4j.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Each rule against distributions computed by hand (logits are logs of small numbers, so the softmax is a ratio of
 * integers), the Hugging Face order of the rules, the greedy tie rule, seeding, and empirical frequencies.
 */
class SamplerTest {
    private static final double EPS = 1e-6; // float32 logits of ln(n) carry ~1e-7 relative error

    private static float ln(double x) {
        return (float) Math.log(x);
    }

    /** Temperature 1, nothing else: a plain softmax. */
    private static SamplingSettings plain() {
        return new SamplingSettings(1.0, 0, 1.0, 0, 1.0, 1L, 16);
    }

    private static double[] dist(float[] logits, SamplingSettings s) {
        double[] p = Sampler.distribution(logits, logits.length, s, null);
        assertEquals(1.0, Arrays.stream(p).sum(), 1e-12);
        return p;
    }

    @Test
    void softmaxOfLogsIsTheRatioOfTheNumbers() {
        // exp(ln 1..4) = 1, 2, 3, 4; sum 10
        assertArrayEquals(new double[] {0.1, 0.2, 0.3, 0.4}, dist(new float[] {ln(1), ln(2), ln(3), ln(4)}, plain()), EPS);
    }

    @Test
    void temperatureDividesTheLogits() {
        // T = 0.5: logits become 0, 2 ln 2, 2 ln 3 -> exp = 1, 4, 9; sum 14
        double[] p = dist(new float[] {ln(1), ln(2), ln(3)}, plain().withTemperature(0.5));
        assertArrayEquals(new double[] {1 / 14.0, 4 / 14.0, 9 / 14.0}, p, EPS);
        // T = 2: exp(ln(n)/2) = sqrt(n): 1, 2 for n = 1, 4; sum 3
        assertArrayEquals(new double[] {1 / 3.0, 2 / 3.0}, dist(new float[] {ln(1), ln(4)}, plain().withTemperature(2)), EPS);
    }

    @Test
    void topKKeepsTheKBestAndTheirTies() {
        // k = 2 of (1, 2, 3, 4): keep 3 and 4 -> 3/7, 4/7
        assertArrayEquals(new double[] {0, 0, 3 / 7.0, 4 / 7.0},
                dist(new float[] {ln(1), ln(2), ln(3), ln(4)}, plain().withTopK(2)), EPS);
        // HF removes only scores strictly below the k-th largest: with k = 1 and two equal maxima both stay.
        assertArrayEquals(new double[] {0.5, 0.5, 0}, dist(new float[] {2, 2, 1}, plain().withTopK(1)), EPS);
        // k = 2 with a tie at the second place: 3 tokens stay, exp(2)=e^2 each and exp(3)
        double e2 = Math.exp(2);
        double e3 = Math.exp(3);
        double z = e3 + 2 * e2;
        assertArrayEquals(new double[] {e2 / z, e3 / z, e2 / z, 0},
                dist(new float[] {2, 3, 2, 1}, plain().withTopK(2)), EPS);
        // k >= vocabulary: nothing removed
        assertArrayEquals(new double[] {0.1, 0.2, 0.3, 0.4},
                dist(new float[] {ln(1), ln(2), ln(3), ln(4)}, plain().withTopK(9)), EPS);
    }

    @Test
    void topPKeepsTheSmallestHeadWhoseMassReachesP() {
        float[] logits = {ln(1), ln(2), ln(3), ln(4)}; // p = .1 .2 .3 .4
        // HF: ascending .1 .2 .3 .4, cumsum .1 .3 .6 1.0; top_p .75 removes cumsum <= .25: only .1 -> 2/9 3/9 4/9
        assertArrayEquals(new double[] {0, 2 / 9.0, 3 / 9.0, 4 / 9.0}, dist(logits, plain().withTopP(0.75)), EPS);
        // top_p .65 removes cumsum <= .35: .1 and .2 -> 3/7 4/7
        assertArrayEquals(new double[] {0, 0, 3 / 7.0, 4 / 7.0}, dist(logits, plain().withTopP(0.65)), EPS);
        // top_p .1 removes cumsum <= .9: all but the last; the most likely token always stays
        assertArrayEquals(new double[] {0, 0, 0, 1}, dist(logits, plain().withTopP(0.1)), EPS);
        assertArrayEquals(new double[] {0, 0, 0, 1}, dist(logits, plain().withTopP(0.0)), EPS);
    }

    @Test
    void topPThroughTheTopKPathGivesTheSameAnswer() {
        // A -inf token is dropped by top_k = 4 and has probability 0 anyway: same numbers as without top_k.
        float[] logits = {ln(1), ln(2), ln(3), ln(4), Float.NEGATIVE_INFINITY};
        assertArrayEquals(new double[] {0, 2 / 9.0, 3 / 9.0, 4 / 9.0, 0},
                dist(logits, plain().withTopK(4).withTopP(0.75)), EPS);
        assertArrayEquals(new double[] {0, 2 / 9.0, 3 / 9.0, 4 / 9.0, 0},
                dist(logits, plain().withTopP(0.75)), EPS);
    }

    @Test
    void topKComesBeforeTopP() {
        // p = 1,2,3,4,10 / 20. HF order: top_k = 3 keeps 3,4,10 (renormalised /17: .176 .235 .588); then top_p .8:
        // .588 stays, 4/17 stays (mass above it .588 < .8), 3/17 goes (mass above it .824 >= .8) -> 4/14, 10/14.
        // (top_p first would keep 3,4,10 of the full distribution, and top_k = 3 then changes nothing: 3/17 4/17 10/17.)
        float[] logits = {ln(1), ln(2), ln(3), ln(4), ln(10)};
        assertArrayEquals(new double[] {0, 0, 0, 4 / 14.0, 10 / 14.0},
                dist(logits, plain().withTopK(3).withTopP(0.8)), EPS);
    }

    @Test
    void minPIsRelativeToTheTopProbabilityAfterTemperature() {
        float[] logits = {ln(1), ln(2), ln(4)};
        // T = 1: probabilities relative to the top are .25 .5 1; min_p .3 removes the first -> 2/6, 4/6
        assertArrayEquals(new double[] {0, 1 / 3.0, 2 / 3.0}, dist(logits, plain().withMinP(0.3)), EPS);
        // T = .5: exp = 1, 4, 16, relative .0625 .25 1; min_p .3 removes both -> 0 0 1
        // (min_p before temperature would have kept ids 1 and 2: 4/20, 16/20)
        assertArrayEquals(new double[] {0, 0, 1}, dist(logits, plain().withTemperature(0.5).withMinP(0.3)), EPS);
        // same through the top_k path
        assertArrayEquals(new double[] {0, 0, 1},
                dist(logits, plain().withTemperature(0.5).withMinP(0.3).withTopK(2)), EPS);
        // min_p after top_p: top_p .9 on 1,2,4 (/7) removes nothing above .1 (cumsum 1/7 > .1), min_p .3 removes 1
        assertArrayEquals(new double[] {0, 1 / 3.0, 2 / 3.0}, dist(logits, plain().withTopP(0.9).withMinP(0.3)), EPS);
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogits() {
        // logits ln 8, -ln 2, ln 2, 0 with ids 0 and 1 seen, penalty 3:
        // ln 8 > 0 -> ln 8 / 3 = ln 2; -ln 2 < 0 -> -3 ln 2 = ln(1/8); unseen ids unchanged.
        // exp: 2, 1/8, 2, 1; sum 5.125
        float[] logits = {ln(8), -ln(2), ln(2), 0};
        TokenSet seen = TokenSet.of(0, 1, 0, 1, 0); // duplicates count once, as in HF's scatter
        assertEquals(2, seen.size());
        SamplingSettings s = plain().withRepetitionPenalty(3);
        assertArrayEquals(new double[] {2 / 5.125, 0.125 / 5.125, 2 / 5.125, 1 / 5.125},
                Sampler.distribution(logits, 4, s, seen), EPS);
        // without context the penalty does nothing: exp = 8, 1/2, 2, 1; sum 11.5
        assertArrayEquals(new double[] {8 / 11.5, 0.5 / 11.5, 2 / 11.5, 1 / 11.5},
                Sampler.distribution(logits, 4, s, new TokenSet()), EPS);
        // a penalty below 1 rewards: 0.5 doubles ln 8 (-> ln 64) and halves -ln 2 (-> ln(1/sqrt 2))
        double z = 64 + Math.sqrt(0.5) + 2 + 1;
        assertArrayEquals(new double[] {64 / z, Math.sqrt(0.5) / z, 2 / z, 1 / z},
                Sampler.distribution(logits, 4, plain().withRepetitionPenalty(0.5), seen), EPS);
        assertArrayEquals(logits, new float[] {ln(8), -ln(2), ln(2), 0}, "the caller's logits are not modified");
    }

    @Test
    void repetitionPenaltyAlsoAppliesToGreedyDecoding() {
        // HF adds the penalty processor whether or not it samples: 2.0 -> 1.0 (seen), so id 2 (1.5) wins.
        float[] logits = {2.0f, -2.0f, 1.5f, 0.5f};
        SamplingSettings greedy = SamplingSettings.greedy(8).withRepetitionPenalty(2.0);
        assertEquals(2, new Sampler(greedy).sample(logits, 4, TokenSet.of(0, 1)));
        assertEquals(0, new Sampler(greedy).sample(logits, 4, new TokenSet()));
        assertArrayEquals(new double[] {0, 0, 1, 0}, Sampler.distribution(logits, 4, greedy, TokenSet.of(0)), 0);
    }

    @Test
    void greedyTakesTheLowestIdAmongEqualMaxima() {
        Sampler greedy = new Sampler(SamplingSettings.greedy(4));
        assertEquals(1, greedy.sample(new float[] {1, 3, 3, 2}, 4, null));
        assertEquals(3, greedy.sample(new float[] {1, 3, 3, 7, 7}, 5, null));
        assertEquals(1, greedy.sample(new float[] {Float.NaN, 1, Float.NaN}, 3, null));
        assertEquals(0, greedy.sample(new float[] {5, 9, 9}, 1, null), "only vocabSize entries are tokens");
    }

    @Test
    void aFixedSeedGivesTheSameSequenceInTwoSamplers() {
        SamplingSettings s = AloeDefaults.sampling(ModelFamily.QWEN2).withSeed(1234L);
        int[] a = generate(new Sampler(s), 2000);
        int[] b = generate(new Sampler(s), 2000);
        assertArrayEquals(a, b);
        int[] c = generate(new Sampler(s.withSeed(1235L)), 2000);
        assertFalse(Arrays.equals(a, c), "another seed gives another sequence");
        assertTrue(Arrays.stream(a).distinct().count() > 20, "the draws vary");
    }

    /** A toy generation loop: random logits per step, the context grows with each token. */
    private static int[] generate(Sampler sampler, int steps) {
        Random logitsRandom = new Random(99);
        TokenSet context = TokenSet.of(5, 6, 7);
        int[] out = new int[steps];
        float[] logits = new float[1000];
        for (int t = 0; t < steps; t++) {
            for (int i = 0; i < logits.length; i++) {
                logits[i] = (float) (logitsRandom.nextGaussian() * 2);
            }
            out[t] = sampler.sample(logits, logits.length, context);
            context.add(out[t]);
        }
        return out;
    }

    @Test
    void frequenciesOver200kDrawsMatchTheDistribution() {
        float[] logits = {ln(1), ln(2), ln(3), ln(4), ln(10), ln(0.5), 0.25f, -1f, ln(6)};
        TokenSet seen = TokenSet.of(4, 7);
        for (SamplingSettings s : new SamplingSettings[] {
                AloeDefaults.sampling(ModelFamily.QWEN2).withTopK(6).withSeed(7L),
                AloeDefaults.sampling(ModelFamily.LLAMA).withSeed(8L),
                plain().withTemperature(1.3).withMinP(0.05).withSeed(9L)}) {
            double[] p = Sampler.distribution(logits, logits.length, s, seen);
            int n = 200_000;
            int[] counts = new int[logits.length];
            Sampler sampler = new Sampler(s);
            for (int i = 0; i < n; i++) {
                counts[sampler.sample(logits, logits.length, seen)]++;
            }
            for (int t = 0; t < logits.length; t++) {
                if (p[t] == 0) {
                    assertEquals(0, counts[t], "token " + t + " was filtered out but drawn, " + s);
                } else {
                    double sigma = Math.sqrt(n * p[t] * (1 - p[t]));
                    assertEquals(n * p[t], counts[t], 4 * sigma, "token " + t + " with p=" + p[t] + ", " + s);
                }
            }
        }
    }

    /**
     * On a 152k vocabulary, both paths (top_k, and full-vocabulary top_p) against a direct transcription of HF's
     * processors: sort everything, cumulative softmax ascending, masks.
     */
    @Test
    void largeVocabularyMatchesAStraightforwardReference() {
        int v = 152_064;
        float[] logits = new float[v];
        Random r = new Random(3);
        for (int i = 0; i < v; i++) {
            logits[i] = (float) (r.nextGaussian() * 3);
        }
        TokenSet seen = new TokenSet(v);
        for (int i = 0; i < 500; i++) {
            seen.add(r.nextInt(v));
        }
        for (SamplingSettings s : new SamplingSettings[] {AloeDefaults.sampling(ModelFamily.QWEN2),
                AloeDefaults.sampling(ModelFamily.LLAMA), AloeDefaults.sampling(ModelFamily.LLAMA).withMinP(0.02)
                        .withRepetitionPenalty(1.3)}) {
            double[] expected = reference(logits, s, seen);
            double[] actual = Sampler.distribution(logits, v, s, seen);
            assertArrayEquals(expected, actual, 1e-9, s.toString());
        }
    }

    /** HF's processors written out plainly (O(V log V)), in double except the float32 score arithmetic. */
    private static double[] reference(float[] logits, SamplingSettings s, TokenSet seen) {
        int v = logits.length;
        float[] score = logits.clone();
        for (int i = 0; i < seen.size(); i++) {
            int id = seen.get(i);
            float x = score[id];
            float penalty = (float) s.repetitionPenalty();
            score[id] = x < 0 ? x * penalty : x / penalty;
        }
        for (int i = 0; i < v; i++) {
            score[i] = score[i] / (float) s.temperature();
        }
        boolean[] removed = new boolean[v];
        if (s.topK() > 0) {
            float[] sorted = score.clone();
            Arrays.sort(sorted);
            float kth = sorted[v - s.topK()];
            for (int i = 0; i < v; i++) {
                removed[i] = score[i] < kth;
            }
        }
        if (s.topP() < 1) {
            double[] p = softmax(score, removed);
            Integer[] order = new Integer[v];
            for (int i = 0; i < v; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> score[a] != score[b] ? Float.compare(score[a], score[b]) : Integer.compare(b, a));
            double cumulative = 0;
            for (int j = 0; j < v; j++) {
                cumulative += p[order[j]];
                if (cumulative <= 1 - s.topP() && j < v - 1) {
                    removed[order[j]] = true;
                }
            }
        }
        if (s.minP() > 0) {
            double[] p = softmax(score, removed);
            double top = Arrays.stream(p).max().orElseThrow();
            for (int i = 0; i < v; i++) {
                if (p[i] < s.minP() * top) {
                    removed[i] = true;
                }
            }
        }
        return softmax(score, removed);
    }

    private static double[] softmax(float[] score, boolean[] removed) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < score.length; i++) {
            if (!removed[i]) {
                max = Math.max(max, score[i]);
            }
        }
        double[] p = new double[score.length];
        double z = 0;
        for (int i = 0; i < score.length; i++) {
            if (!removed[i]) {
                p[i] = Math.exp(score[i] - max);
                z += p[i];
            }
        }
        for (int i = 0; i < score.length; i++) {
            p[i] /= z;
        }
        return p;
    }

    @Test
    void samplingA152kVocabularyWithTopK20TakesWellUnderAMillisecond() {
        int v = 152_064;
        float[] logits = new float[v];
        Random r = new Random(5);
        for (int i = 0; i < v; i++) {
            logits[i] = (float) (r.nextGaussian() * 3);
        }
        TokenSet context = new TokenSet(v);
        for (int i = 0; i < 300; i++) {
            context.add(r.nextInt(v));
        }
        report("top_k 20 (Qwen2 defaults)", new Sampler(AloeDefaults.sampling(ModelFamily.QWEN2).withSeed(1L)),
                logits, context, 1.0);
        report("top_k 0, top_p 0.9 (Llama defaults)", new Sampler(AloeDefaults.sampling(ModelFamily.LLAMA)
                .withSeed(1L)), logits, context, 10.0);
    }

    private static void report(String what, Sampler sampler, float[] logits, TokenSet context, double limitMillis) {
        int checksum = 0;
        for (int i = 0; i < 300; i++) {
            checksum += sampler.sample(logits, logits.length, context);
        }
        long[] times = new long[200];
        for (int i = 0; i < times.length; i++) {
            long t0 = System.nanoTime();
            checksum += sampler.sample(logits, logits.length, context);
            times[i] = System.nanoTime() - t0;
        }
        Arrays.sort(times);
        double medianMillis = times[times.length / 2] / 1e6;
        System.out.printf("Sampler 152064 tokens, %s: median %.3f ms, p90 %.3f ms (checksum %d)%n", what,
                medianMillis, times[times.length * 9 / 10] / 1e6, checksum);
        assertTrue(medianMillis < limitMillis, what + ": median " + medianMillis + " ms");
    }

    @Test
    void badInputIsRejectedWithAClearMessage() {
        assertThrows(IllegalArgumentException.class, () -> new SamplingSettings(-1, 0, 1, 0, 1, null, 8));
        assertThrows(IllegalArgumentException.class, () -> plain().withTopP(1.5));
        assertThrows(IllegalArgumentException.class, () -> plain().withTopK(-1));
        assertThrows(IllegalArgumentException.class, () -> plain().withMinP(-0.1));
        assertThrows(IllegalArgumentException.class, () -> plain().withRepetitionPenalty(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Sampler(plain().withRepetitionPenalty(1.1)).sample(new float[3], 3, TokenSet.of(7)));
        assertEquals("context token id 7 is outside the vocabulary of 3", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Sampler(plain()).sample(new float[3], 4, null));
        assertThrows(IllegalArgumentException.class, () -> new Sampler(plain()).sample(
                new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}, 2, null));
    }

    @Test
    void settingsCopyMethodsChangeOneField() {
        SamplingSettings s = AloeDefaults.sampling(ModelFamily.QWEN2);
        assertEquals(new SamplingSettings(0.0, 20, 0.8, 0, 1.05, 42L, 100),
                s.withTemperature(0).withSeed(42L).withMaxNewTokens(100));
        assertTrue(s.withTemperature(0).greedy());
        assertFalse(s.greedy());
        assertNotEquals(s, s.withMinP(0.1));
        assertEquals(new SamplingSettings(0, 0, 1, 0, 1, null, 5), SamplingSettings.greedy(5));
    }
}
