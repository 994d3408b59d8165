package org.aloe4j.eval.method;

import org.aloe4j.generation.AloeDefaults;
import org.aloe4j.generation.LanguageModel;
import org.aloe4j.generation.SamplingSettings;

/**
 * Self-consistency chain of thought: {@code samples} chains sampled with the model card's settings (temperature,
 * top-p, top-k, repetition penalty of the model's family), each retried while unparsable, then a majority vote.
 */
public final class SelfConsistencyCotMethod extends GenerationMethod {
    public SelfConsistencyCotMethod(MethodOptions options) {
        super(options);
    }

    @Override
    public String name() {
        return "sc-cot";
    }

    @Override
    String instructions() {
        return McqPrompt.COT_INSTRUCTIONS;
    }

    @Override
    int runs() {
        return options.samples();
    }

    @Override
    int defaultMaxTokens() {
        return 1024;
    }

    @Override
    SamplingSettings defaultSampling(LanguageModel model) {
        SamplingSettings card = AloeDefaults.sampling(model.family());
        return new SamplingSettings(card.temperature(), card.topK(), card.topP(), card.minP(),
                card.repetitionPenalty(), null, defaultMaxTokens());
    }
}
