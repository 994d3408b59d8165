package org.aloe4j.eval.method;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * A method's answer to one question. {@code pred} is the chosen letter or null (no parsable answer in any run:
 * counted wrong). {@code draw}: the vote had a tie. {@code votes}: letter -> runs. {@code unparsedRuns}: runs that
 * gave no parsable answer within their attempts. {@code logprobs}: per option letter, for the loglik method (else
 * empty). {@code details}: what else a method wants kept in the item's record (Medprompt's retrieved examples and
 * option orders), or null.
 */
public record ItemOutcome(String pred, boolean draw, Map<String, Integer> votes, int unparsedRuns,
                          List<Attempt> attempts, Map<String, Double> logprobs, JsonNode details) {

    public ItemOutcome(String pred, boolean draw, Map<String, Integer> votes, int unparsedRuns,
                       List<Attempt> attempts, Map<String, Double> logprobs) {
        this(pred, draw, votes, unparsedRuns, attempts, logprobs, null);
    }

    public ItemOutcome {
        votes = Map.copyOf(votes);
        attempts = List.copyOf(attempts);
        logprobs = logprobs == null ? Map.of() : java.util.Collections.unmodifiableMap(
                new java.util.LinkedHashMap<>(logprobs));
        details = details == null ? null : details.deepCopy();
    }

    public int promptTokens() {
        return attempts.stream().mapToInt(Attempt::promptTokens).sum();
    }

    public int completionTokens() {
        return attempts.stream().mapToInt(Attempt::completionTokens).sum();
    }
}
