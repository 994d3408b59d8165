package org.aloe4j.eval.method;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.aloe4j.generation.ChatMessage;
import org.aloe4j.generation.ChatRequest;
import org.aloe4j.generation.GenerationResult;
import org.aloe4j.generation.LanguageModel;
import org.aloe4j.generation.SamplingSettings;
import org.aloe4j.generation.TokenSink;

/**
 * Asks until the reply parses ({@link AnswerParser}), following {@link RetrySchedule}: one run of a question, with
 * all its attempts kept. Medprompt reuses it for each ensemble member.
 */
public final class RetryingAnswerer {
    private RetryingAnswerer() {}

    /** A run's outcome: its parsed letter (null after {@code maxAttempts} unparsable replies) and every attempt. */
    public record Run(int sample, String answer, List<Attempt> attempts) {}

    public static Run run(LanguageModel model, List<ChatMessage> messages, List<String> letters,
                          SamplingSettings base, int maxAttempts, int sample, Long runSeed, String itemId) {
        List<Attempt> attempts = new ArrayList<>();
        for (int a = 0; a < maxAttempts; a++) {
            Long seed = Seeds.derive(runSeed, itemId, sample, a);
            SamplingSettings s = RetrySchedule.forAttempt(base, a, seed);
            long t0 = System.nanoTime();
            GenerationResult r = model.chat(new ChatRequest(messages, s, List.of(), false, ""), TokenSink.NONE);
            double seconds = (System.nanoTime() - t0) / 1e9;
            String parsed = AnswerParser.parse(r.text(), letters);
            attempts.add(new Attempt(sample, a, messages, s.temperature(), s.maxNewTokens(), seed, r.text(), parsed,
                    r.finishReason().openAiName(), r.usage().promptTokens(), r.usage().completionTokens(), seconds));
            if (parsed != null) {
                return new Run(sample, parsed, attempts);
            }
        }
        return new Run(sample, null, attempts);
    }

    /**
     * The runs in the order prompt_engine lists their answers, which is the order they vote in: runs answered at an
     * earlier attempt first (it retries all unparsed runs together, round after round), then by run number.
     */
    public static List<Run> inVoteOrder(List<Run> runs) {
        return runs.stream()
                .sorted(Comparator.comparingInt((Run r) -> r.attempts().size()).thenComparingInt(Run::sample))
                .toList();
    }
}
