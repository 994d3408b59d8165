package org.aloe4j.generation;

/** The model card's defaults (placeholder until the sampler branch lands). */
public final class AloeDefaults {
    private AloeDefaults() {}

    public static final String SYSTEM_PROMPT = "You are an expert medical assistant named Aloe, developed by the High"
            + " Performance Artificial Intelligence Group at Barcelona Supercomputing Center(BSC). You are to be a"
            + " helpful, respectful, and honest assistant.";

    public static SamplingSettings sampling(ModelFamily family) {
        return family == ModelFamily.QWEN2
                ? new SamplingSettings(0.7, 20, 0.8, 0, 1.05, null, 256)
                : new SamplingSettings(0.6, 0, 0.9, 0, 1.0, null, 256);
    }
}
