package org.aloe4j.eval.openended;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.aloe4j.eval.method.RetrySchedule;
import org.aloe4j.generation.ChatMessage;
import org.aloe4j.generation.ChatRequest;
import org.aloe4j.generation.GenerationResult;
import org.aloe4j.generation.LanguageModel;
import org.aloe4j.generation.SamplingSettings;
import org.aloe4j.generation.TokenSink;

/**
 * LLM-as-judge: a judge {@link LanguageModel} grades an answer against a reference with a rubric and ends its reply
 * with {@code Score: N}. The score is the number after the last "Score:" (case-insensitive) when it lies within the
 * rubric's range; otherwise the judge is asked again, hotter and longer ({@link RetrySchedule}), up to
 * {@code maxAttempts} times; then the item has no score.
 */
public final class LlmJudge {

    /** The grading instructions and the score range. */
    public record Rubric(String name, String instructions, int min, int max) {
        public Rubric {
            if (min >= max) {
                throw new IllegalArgumentException("rubric range must have min < max");
            }
        }
    }

    public static final Rubric MEDICAL_ANSWER = new Rubric("medical-answer",
            "You grade answers to medical questions. Compare the answer with the reference answer and judge it on"
                    + " factual correctness, completeness of the clinically important points, and safety (no harmful"
                    + " or misleading advice). 5 = as good as the reference; 4 = minor omissions; 3 = partly correct"
                    + " or missing important points; 2 = mostly wrong or unhelpful; 1 = wrong or unsafe. Explain"
                    + " briefly, then end with a line \"Score: N\" where N is an integer from 1 to 5.",
            1, 5);

    /** A grade: the score (null when none could be read), the judge's last reply, the number of calls. */
    public record Verdict(Double score, String reply, int attempts) {}

    private static final Pattern SCORE = Pattern.compile("(?i)score\\s*[:=]\\s*\\**\\s*(-?\\d+(?:\\.\\d+)?)");

    private final LanguageModel judge;
    private final Rubric rubric;
    private final int maxAttempts;

    public LlmJudge(LanguageModel judge, Rubric rubric, int maxAttempts) {
        this.judge = judge;
        this.rubric = rubric;
        this.maxAttempts = maxAttempts;
    }

    public Rubric rubric() {
        return rubric;
    }

    public Verdict judge(String question, String reference, String answer) {
        List<ChatMessage> messages = List.of(ChatMessage.system(rubric.instructions()),
                ChatMessage.user("Question:\n" + question + "\n\nReference answer:\n" + reference
                        + "\n\nAnswer to grade:\n" + answer));
        SamplingSettings base = SamplingSettings.greedy(512);
        String reply = "";
        for (int a = 0; a < maxAttempts; a++) {
            SamplingSettings s = RetrySchedule.forAttempt(base, a, null);
            GenerationResult r = judge.chat(new ChatRequest(messages, s, List.of(), false, ""), TokenSink.NONE);
            reply = r.text();
            Double score = parseScore(reply, rubric.min(), rubric.max());
            if (score != null) {
                return new Verdict(score, reply, a + 1);
            }
        }
        return new Verdict(null, reply, maxAttempts);
    }

    /** The number after the last "Score:" if it is within [min, max]; else null. */
    public static Double parseScore(String reply, int min, int max) {
        Matcher m = SCORE.matcher(reply == null ? "" : reply);
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        if (last == null) {
            return null;
        }
        double v = Double.parseDouble(last);
        return v >= min && v <= max ? v : null;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "LlmJudge[%s, %s %d..%d]", judge.name(), rubric.name(), rubric.min(),
                rubric.max());
    }
}
