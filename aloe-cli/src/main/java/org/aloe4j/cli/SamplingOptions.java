package org.aloe4j.cli;

import org.aloe4j.generation.AloeDefaults;
import org.aloe4j.generation.ModelFamily;
import org.aloe4j.generation.SamplingSettings;
import picocli.CommandLine.Option;

/** Sampling flags shared by generate and chat; anything not given comes from the model card's defaults. */
final class SamplingOptions {
    @Option(names = "--temperature", description = "sampling temperature (0 = greedy)")
    Double temperature;

    @Option(names = "--top-k", description = "keep the k most likely tokens (0 = off)")
    Integer topK;

    @Option(names = "--top-p", description = "nucleus sampling: keep the smallest set with this total probability")
    Double topP;

    @Option(names = "--min-p", description = "drop tokens below this fraction of the top token's probability")
    Double minP;

    @Option(names = "--repetition-penalty", description = "Hugging Face repetition penalty (1 = off)")
    Double repetitionPenalty;

    @Option(names = "--seed", description = "random seed, for reproducible sampling")
    Long seed;

    @Option(names = "--max-tokens", description = "maximum new tokens (default: the card's 256)")
    Integer maxTokens;

    @Option(names = "--greedy", description = "always take the most likely token")
    boolean greedy;

    SamplingSettings resolve(ModelFamily family) {
        SamplingSettings s = AloeDefaults.sampling(family);
        s = new SamplingSettings(
                greedy ? 0 : temperature != null ? temperature : s.temperature(),
                topK != null ? topK : s.topK(),
                topP != null ? topP : s.topP(),
                minP != null ? minP : s.minP(),
                repetitionPenalty != null ? repetitionPenalty : s.repetitionPenalty(),
                seed != null ? seed : s.seed(),
                maxTokens != null ? maxTokens : s.maxNewTokens());
        if (s.maxNewTokens() <= 0) {
            throw new IllegalArgumentException("--max-tokens must be positive, got " + s.maxNewTokens());
        }
        return s;
    }
}
