package org.aloe4j.medprompt;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.aloe4j.eval.data.Question;
import org.aloe4j.eval.method.AnswerParser;
import org.aloe4j.eval.method.McqPrompt;
import org.aloe4j.generation.ChatMessage;
import org.aloe4j.rag.medprompt.Example;
import org.aloe4j.rag.medprompt.RetrievedExample;

/**
 * The Medprompt conversation: a system message asking for step-by-step reasoning that ends with
 * {@code Answer: [X]} (the same instructions as the cot method), then each retrieved example as a user turn (its
 * question in prompt_engine's format: the question, {@code Options:}, one {@code A. text} line per option) and an
 * assistant turn (its reasoning, ending with its answer line), then the question to answer as the last user turn.
 * The examples come in the order given (Medprompt: most similar last, right before the question).
 */
public final class MedpromptPrompt {
    private MedpromptPrompt() {}

    public static final String INSTRUCTIONS = McqPrompt.COT_INSTRUCTIONS;

    public static List<ChatMessage> messages(List<RetrievedExample> examples, Question shown) {
        List<ChatMessage> m = new ArrayList<>(2 * examples.size() + 2);
        m.add(ChatMessage.system(INSTRUCTIONS));
        for (RetrievedExample r : examples) {
            m.add(ChatMessage.user(describe(r.example())));
            m.add(ChatMessage.assistant(solution(r.example())));
        }
        m.add(ChatMessage.user(McqPrompt.describe(shown)));
        return m;
    }

    /** An example's question as the model sees it, its options under their own letters. */
    public static String describe(Example e) {
        StringBuilder sb = new StringBuilder();
        sb.append(e.question()).append("\nOptions:\n");
        for (Map.Entry<String, String> o : e.options().entrySet()) {
            sb.append(o.getKey()).append(". ").append(McqPrompt.strip(o.getValue())).append('\n');
        }
        return sb.toString();
    }

    /**
     * An example's assistant turn: its reasoning as stored when that already ends in its answer (what
     * {@code aloe medprompt build} stores: the whole reply), else the reasoning followed by the answer line.
     */
    public static String solution(Example e) {
        String reasoning = e.reasoning().strip();
        List<String> letters = List.copyOf(e.options().keySet());
        if (reasoning.contains("Answer:") && e.answer().equals(AnswerParser.parse(reasoning, letters))) {
            return reasoning;
        }
        return reasoning + "\n" + McqPrompt.answerLine(e.answer());
    }
}
