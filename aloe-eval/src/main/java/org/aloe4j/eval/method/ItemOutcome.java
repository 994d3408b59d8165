package org.aloe4j.eval.method;

import java.util.List;
import java.util.Map;

/**
 * A method's answer to one question. {@code pred} is the chosen letter or null (no parsable answer in any run:
 * counted wrong). {@code draw}: the vote had a tie. {@code votes}: letter -> runs. {@code unparsedRuns}: runs that
 * gave no parsable answer within their attempts. {@code logprobs}: per option letter, for the loglik method (else
 * empty).
 */
public record ItemOutcome(String pred, boolean draw, Map<String, Integer> votes, int unparsedRuns,
                          List<Attempt> attempts, Map<String, Double> logprobs) {

    public ItemOutcome {
        votes = Map.copyOf(votes);
        attempts = List.copyOf(attempts);
        logprobs = logprobs == null ? Map.of() : java.util.Collections.unmodifiableMap(
                new java.util.LinkedHashMap<>(logprobs));
    }

    public int promptTokens() {
        return attempts.stream().mapToInt(Attempt::promptTokens).sum();
    }

    public int completionTokens() {
        return attempts.stream().mapToInt(Attempt::completionTokens).sum();
    }
}
