package org.aloe4j.eval.method;

import java.util.ArrayList;
import java.util.List;
import org.aloe4j.eval.data.Question;
import org.aloe4j.generation.ChatMessage;

/**
 * The question format of HPAI's prompt_engine (and Medprompt): for PubMedQA {@code Abstract: <abstract>} then
 * {@code Question: <question>}, else the question alone; then a line {@code Options:} and one line per option
 * {@code A. text} (option text stripped of spaces and newlines at its ends, each line ending with a newline).
 * The instructions are our own wording; the answer convention {@code Answer: [X]} is the one that must match.
 */
public final class McqPrompt {
    private McqPrompt() {}

    public static final String COT_INSTRUCTIONS = "You are answering a multiple-choice medical exam question that has"
            + " exactly one correct option. Reason about it step by step, then end your reply with the line"
            + " \"Answer: [X]\", where X is the letter of the correct option. Write nothing after that line.";

    public static final String ZERO_SHOT_INSTRUCTIONS = "You are answering a multiple-choice medical exam question"
            + " that has exactly one correct option. Reply only with \"Answer: [X]\", where X is the letter of the"
            + " correct option.";

    public static final String LOGLIK_INSTRUCTIONS = "You are answering a multiple-choice medical exam question"
            + " that has exactly one correct option. Reply with the letter of the correct option only.";

    /** prompt_engine's problem description of {@code q}. */
    public static String describe(Question q) {
        StringBuilder sb = new StringBuilder();
        if (!q.context().isEmpty()) {
            sb.append("Abstract: ").append(q.context()).append("\nQuestion: ");
        }
        sb.append(q.question()).append("\nOptions:\n");
        for (int i = 0; i < q.options().size(); i++) {
            sb.append(Question.letter(i)).append(". ").append(strip(q.options().get(i))).append('\n');
        }
        return sb.toString();
    }

    /** The {@code Answer: [X]} reply convention. */
    public static String answerLine(String letter) {
        return "Answer: [" + letter + "]";
    }

    /**
     * A system turn, then each exemplar as a user turn (its description) and an assistant turn
     * ({@code exemplarAnswer}), then the question.
     */
    public static List<ChatMessage> messages(String system, List<Question> exemplars,
                                             java.util.function.Function<Question, String> exemplarAnswer,
                                             Question q) {
        List<ChatMessage> m = new ArrayList<>();
        m.add(ChatMessage.system(system));
        for (Question e : exemplars) {
            m.add(ChatMessage.user(describe(e)));
            m.add(ChatMessage.assistant(exemplarAnswer.apply(e)));
        }
        m.add(ChatMessage.user(describe(q)));
        return m;
    }

    /** Python's {@code str.strip(" \n")}: only spaces and newlines, at both ends (how options are printed). */
    public static String strip(String s) {
        int b = 0;
        int e = s.length();
        while (b < e && (s.charAt(b) == ' ' || s.charAt(b) == '\n')) {
            b++;
        }
        while (e > b && (s.charAt(e - 1) == ' ' || s.charAt(e - 1) == '\n')) {
            e--;
        }
        return s.substring(b, e);
    }
}
