package org.aloe4j.eval.method;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aloe4j.eval.data.Question;
import org.aloe4j.generation.ChatMessage;
import org.aloe4j.generation.ChatRequest;
import org.aloe4j.generation.LanguageModel;
import org.aloe4j.generation.SamplingSettings;

/**
 * The Aloe paper's multiple-choice method: the log-probability of each option letter as the first token of the
 * reply; the highest wins (the earlier letter on an exact tie). No letter with a finite log-probability (a remote
 * server that listed none of them) = no answer. Exemplars, when asked for, answer with their letter alone.
 */
public final class LoglikMethod implements EvalMethod {

    private final MethodOptions options;

    public LoglikMethod(MethodOptions options) {
        this.options = options;
    }

    @Override
    public String name() {
        return "loglik";
    }

    @Override
    public ItemOutcome answer(LanguageModel model, Question q, List<Question> exemplars) {
        List<Question> shots = exemplars.subList(0, Math.min(options.shots(), exemplars.size()));
        List<ChatMessage> messages = McqPrompt.messages(McqPrompt.LOGLIK_INSTRUCTIONS, shots, Question::gold, q);
        List<String> letters = q.letters();
        long t0 = System.nanoTime();
        double[] lp = model.candidateLogprobs(
                new ChatRequest(messages, SamplingSettings.greedy(1), List.of(), false, ""), letters);
        double seconds = (System.nanoTime() - t0) / 1e9;
        String best = null;
        double bestLp = Double.NEGATIVE_INFINITY;
        Map<String, Double> byLetter = new LinkedHashMap<>();
        for (int i = 0; i < letters.size(); i++) {
            byLetter.put(letters.get(i), lp[i]);
            if (lp[i] > bestLp) {
                bestLp = lp[i];
                best = letters.get(i);
            }
        }
        Attempt a = new Attempt(0, 0, messages, 0.0, 1, null, best == null ? "" : best, best, "length", 0, 0,
                seconds);
        return new ItemOutcome(best, false, best == null ? Map.of() : Map.of(best, 1), best == null ? 1 : 0,
                List.of(a), byLetter);
    }
}
