package org.aloe4j.eval.method;

import java.util.ArrayList;
import java.util.List;
import org.aloe4j.eval.data.Question;
import org.aloe4j.generation.ChatMessage;
import org.aloe4j.generation.LanguageModel;
import org.aloe4j.generation.SamplingSettings;

/**
 * Methods that generate replies and parse {@code Answer: [X]}: one or more runs per question, each retried while
 * unparsable, then a majority vote. The runs vote in the order prompt_engine lists them: runs answered at an
 * earlier attempt first, then by run number.
 */
abstract class GenerationMethod implements EvalMethod {

    protected final MethodOptions options;

    GenerationMethod(MethodOptions options) {
        this.options = options;
    }

    abstract String instructions();

    abstract int runs();

    abstract int defaultMaxTokens();

    /** The settings of a run's first attempt before options are applied: greedy unless overridden. */
    SamplingSettings defaultSampling(LanguageModel model) {
        return SamplingSettings.greedy(defaultMaxTokens());
    }

    final SamplingSettings base(LanguageModel model) {
        SamplingSettings d = defaultSampling(model);
        double t = options.temperature() != null ? options.temperature() : d.temperature();
        int max = options.maxTokens() != null ? options.maxTokens() : d.maxNewTokens();
        return new SamplingSettings(t, d.topK(), d.topP(), d.minP(), d.repetitionPenalty(), null, max);
    }

    @Override
    public ItemOutcome answer(LanguageModel model, Question q, List<Question> exemplars) {
        List<Question> shots = exemplars.subList(0, Math.min(options.shots(), exemplars.size()));
        List<ChatMessage> messages = McqPrompt.messages(instructions(), shots,
                e -> McqPrompt.answerLine(e.gold()), q);
        SamplingSettings base = base(model);
        List<RetryingAnswerer.Run> runs = new ArrayList<>();
        for (int s = 0; s < runs(); s++) {
            runs.add(RetryingAnswerer.run(model, messages, q.letters(), base, options.maxAttempts(), s,
                    options.seed(), q.id()));
        }
        List<RetryingAnswerer.Run> voteOrder = RetryingAnswerer.inVoteOrder(runs);
        Vote v = Vote.of(voteOrder.stream().map(RetryingAnswerer.Run::answer).toList(), options.tieBreak());
        List<Attempt> all = runs.stream().flatMap(r -> r.attempts().stream()).toList();
        int unparsed = (int) runs.stream().filter(r -> r.answer() == null).count();
        return new ItemOutcome(v.winner(), v.draw(), v.counts(), unparsed, all, null);
    }
}
