package org.aloe4j.server;

import java.util.List;

/**
 * The log-probability of a generated token and of the most likely alternatives at its position: natural log of the
 * model's softmax over the whole vocabulary, before any sampling rule (temperature, top_k, penalties), which is what
 * vLLM returns by default and what {@code LanguageModel.candidateLogprobs} means too.
 */
public record TokenLogprob(int id, String token, double logprob, List<Alternative> top) {

    public record Alternative(int id, String token, double logprob) {}
}
