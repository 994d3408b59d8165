package org.aloe4j.eval.method;

import org.aloe4j.generation.SamplingSettings;

/**
 * prompt_engine's retry rule for unparsable replies: attempt r (0-based) runs at temperature
 * {@code min(1.0, base + 0.05 r)} and {@code max_tokens = base + 100 r}; up to 10 attempts at test time (3 when
 * building a Medprompt database).
 */
public final class RetrySchedule {
    private RetrySchedule() {}

    public static final int TEST_ATTEMPTS = 10;
    public static final int DATABASE_ATTEMPTS = 3;

    public static SamplingSettings forAttempt(SamplingSettings base, int attempt, Long seed) {
        double t = Math.min(1.0, base.temperature() + 0.05 * attempt);
        int max = base.maxNewTokens() + 100 * attempt;
        return new SamplingSettings(t, base.topK(), base.topP(), base.minP(), base.repetitionPenalty(), seed, max);
    }
}
