package org.aloe4j.eval.method;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Settings shared by the methods. Null {@code temperature} / {@code maxTokens} mean the method's defaults; null
 * {@code seed} sends no seed. {@code samples}: runs per question for voting methods. {@code maxAttempts}: tries per
 * run when the reply cannot be parsed. {@code shots}: how many of the benchmark's exemplars (MMLU dev) to put
 * before the question. {@code parameters}: settings only a plugged-in method understands (Medprompt's knowledge
 * base, k...), by name; they are part of the run's identity, so a run cannot be resumed with other ones.
 */
public record MethodOptions(Double temperature, Integer maxTokens, Long seed, int samples, int maxAttempts,
                            int shots, TieBreak tieBreak, SortedMap<String, String> parameters) {

    /** Options without method parameters. */
    public MethodOptions(Double temperature, Integer maxTokens, Long seed, int samples, int maxAttempts, int shots,
                         TieBreak tieBreak) {
        this(temperature, maxTokens, seed, samples, maxAttempts, shots, tieBreak, null);
    }

    public MethodOptions {
        if (samples < 1) {
            throw new IllegalArgumentException("samples must be >= 1: " + samples);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("attempts must be >= 1: " + maxAttempts);
        }
        if (shots < 0) {
            throw new IllegalArgumentException("shots must be >= 0: " + shots);
        }
        if (temperature != null && (temperature < 0 || temperature > 2)) {
            throw new IllegalArgumentException("temperature must be within 0..2: " + temperature);
        }
        if (maxTokens != null && maxTokens < 1) {
            throw new IllegalArgumentException("max tokens must be >= 1: " + maxTokens);
        }
        tieBreak = tieBreak == null ? TieBreak.FIRST_TO_REACH_TOP : tieBreak;
        parameters = parameters == null ? Collections.emptySortedMap()
                : Collections.unmodifiableSortedMap(new TreeMap<>(parameters));
    }

    public static MethodOptions defaults() {
        return new MethodOptions(null, null, null, 5, RetrySchedule.TEST_ATTEMPTS, 0, TieBreak.FIRST_TO_REACH_TOP);
    }

    public MethodOptions withSamples(int n) {
        return new MethodOptions(temperature, maxTokens, seed, n, maxAttempts, shots, tieBreak, parameters);
    }

    public MethodOptions withSeed(Long s) {
        return new MethodOptions(temperature, maxTokens, s, samples, maxAttempts, shots, tieBreak, parameters);
    }

    public MethodOptions withTieBreak(TieBreak t) {
        return new MethodOptions(temperature, maxTokens, seed, samples, maxAttempts, shots, t, parameters);
    }

    public MethodOptions withShots(int k) {
        return new MethodOptions(temperature, maxTokens, seed, samples, maxAttempts, k, tieBreak, parameters);
    }

    /** These options with {@code name} set to {@code value} among the method parameters (null removes it). */
    public MethodOptions withParameter(String name, String value) {
        TreeMap<String, String> p = new TreeMap<>(parameters);
        if (value == null) {
            p.remove(name);
        } else {
            p.put(name, value);
        }
        return new MethodOptions(temperature, maxTokens, seed, samples, maxAttempts, shots, tieBreak, p);
    }

    /** A method parameter, or {@code fallback} when it is not set. */
    public String parameter(String name, String fallback) {
        return parameters.getOrDefault(name, fallback);
    }
}
