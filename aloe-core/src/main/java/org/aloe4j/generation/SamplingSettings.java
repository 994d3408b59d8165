package org.aloe4j.generation;

/** Sampling settings with Hugging Face semantics (placeholder until the sampler branch lands). */
public record SamplingSettings(double temperature, int topK, double topP, double minP, double repetitionPenalty,
                               Long seed, int maxNewTokens) {
    public boolean greedy() {
        return temperature == 0;
    }

    public static SamplingSettings greedy(int maxNewTokens) {
        return new SamplingSettings(0, 0, 1, 0, 1, null, maxNewTokens);
    }
}
