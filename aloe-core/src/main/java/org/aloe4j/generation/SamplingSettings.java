package org.aloe4j.generation;

/**
 * How to pick the next token, with Hugging Face {@code generate()} meanings: {@code temperature == 0} is greedy
 * decoding; {@code topK == 0}, {@code topP == 1}, {@code minP == 0} and {@code repetitionPenalty == 1} switch the
 * corresponding rule off. {@code seed == null} draws a fresh random seed per {@link Sampler}.
 */
public record SamplingSettings(double temperature, int topK, double topP, double minP, double repetitionPenalty,
        Long seed, int maxNewTokens) {

    public SamplingSettings {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0 (0 = greedy), got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must be >= 0 (0 = off), got " + topK);
        }
        if (!(topP >= 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in [0, 1] (1 = off), got " + topP);
        }
        if (!(minP >= 0 && minP <= 1)) {
            throw new IllegalArgumentException("min_p must be in [0, 1] (0 = off), got " + minP);
        }
        if (!(repetitionPenalty > 0) || Double.isInfinite(repetitionPenalty)) {
            throw new IllegalArgumentException("repetition_penalty must be a finite number > 0 (1 = off), got "
                    + repetitionPenalty);
        }
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("max_new_tokens must be >= 0, got " + maxNewTokens);
        }
    }

    /** Greedy decoding (argmax, lowest id on ties) with no other rule. */
    public static SamplingSettings greedy(int maxNewTokens) {
        return new SamplingSettings(0, 0, 1, 0, 1, null, maxNewTokens);
    }

    /** Whether this is greedy decoding ({@code temperature == 0}). */
    public boolean greedy() {
        return temperature == 0;
    }

    public SamplingSettings withTemperature(double temperature) {
        return new SamplingSettings(temperature, topK, topP, minP, repetitionPenalty, seed, maxNewTokens);
    }

    public SamplingSettings withTopK(int topK) {
        return new SamplingSettings(temperature, topK, topP, minP, repetitionPenalty, seed, maxNewTokens);
    }

    public SamplingSettings withTopP(double topP) {
        return new SamplingSettings(temperature, topK, topP, minP, repetitionPenalty, seed, maxNewTokens);
    }

    public SamplingSettings withMinP(double minP) {
        return new SamplingSettings(temperature, topK, topP, minP, repetitionPenalty, seed, maxNewTokens);
    }

    public SamplingSettings withRepetitionPenalty(double repetitionPenalty) {
        return new SamplingSettings(temperature, topK, topP, minP, repetitionPenalty, seed, maxNewTokens);
    }

    public SamplingSettings withSeed(Long seed) {
        return new SamplingSettings(temperature, topK, topP, minP, repetitionPenalty, seed, maxNewTokens);
    }

    public SamplingSettings withMaxNewTokens(int maxNewTokens) {
        return new SamplingSettings(temperature, topK, topP, minP, repetitionPenalty, seed, maxNewTokens);
    }
}
