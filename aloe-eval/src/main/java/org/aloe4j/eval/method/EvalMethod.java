package org.aloe4j.eval.method;

import java.util.List;
import org.aloe4j.eval.data.Question;
import org.aloe4j.generation.LanguageModel;

/**
 * A way of answering a multiple-choice question with a {@link LanguageModel}. Implementations must be thread-safe
 * (the runner calls {@link #answer} for several questions at once) and deterministic for a given model behaviour
 * and seed. The built-in ones are listed by {@link EvalMethods}; Medprompt (aloe-rag) plugs in through
 * {@link EvalMethodProvider}.
 */
public interface EvalMethod {

    /** The name used on the command line and in reports, e.g. "cot". */
    String name();

    /**
     * Answers {@code q}. {@code exemplars} are the benchmark's few-shot examples for the question's subject (may be
     * empty); the method uses as many as its options ask for.
     */
    ItemOutcome answer(LanguageModel model, Question q, List<Question> exemplars);
}
