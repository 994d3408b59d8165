package org.aloe4j.server;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.aloe4j.generation.SamplingSettings;

/**
 * One request for the backend, after parsing and defaults: the prompt, the resolved sampling settings, and the
 * OpenAI extras.
 *
 * @param sampling         the model card's defaults with the request's fields applied; {@code maxNewTokens} is the
 *                         request's limit, or the default when {@code maxTokensGiven} is false (a backend then clips it
 *                         to the room left in the context instead of refusing the request)
 * @param n                number of independent choices (each is its own sequence)
 * @param topLogprobs      -1: no log-probabilities; 0..20: the chosen token's log-probability and that many
 *                         alternatives per position
 * @param frequencyPenalty OpenAI's: subtracted from a token's logit once per time it was generated
 * @param presencePenalty  OpenAI's: subtracted from a token's logit when it was generated at all
 * @param logitBias        added to the logits of these token ids before sampling
 */
public record GenerationJob(Prompt prompt, SamplingSettings sampling, boolean maxTokensGiven, List<String> stop, int n,
        int topLogprobs, double frequencyPenalty, double presencePenalty, Map<Integer, Float> logitBias) {

    public GenerationJob {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(sampling, "sampling");
        stop = stop == null ? List.of() : List.copyOf(stop);
        logitBias = logitBias == null ? Map.of() : Map.copyOf(logitBias);
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1");
        }
    }

    public static GenerationJob of(Prompt prompt, SamplingSettings sampling) {
        return new GenerationJob(prompt, sampling, true, List.of(), 1, -1, 0, 0, Map.of());
    }

    public boolean wantsLogprobs() {
        return topLogprobs >= 0;
    }

    /** Whether any OpenAI penalty or bias changes the logits before the sampler sees them. */
    public boolean adjustsLogits() {
        return frequencyPenalty != 0 || presencePenalty != 0 || !logitBias.isEmpty();
    }

    public GenerationJob withPrompt(Prompt p) {
        return new GenerationJob(p, sampling, maxTokensGiven, stop, n, topLogprobs, frequencyPenalty, presencePenalty,
                logitBias);
    }
}
