package org.aloe4j.rag.docs;

import java.util.Locale;

/**
 * How a chat turn is grounded in retrieved passages: the user's message as sent to the model (the passages with the
 * instruction to rely on them and cite them as [n], then the question), and the source list shown to the user after
 * the reply. Only the current turn carries passages: earlier turns stay as the user typed them, so a conversation
 * does not fill its context with old passages.
 */
public final class GroundedTurn {
    private GroundedTurn() {}

    /** The user message to send: {@code question} alone when nothing was retrieved. */
    public static String userMessage(String question, RagContext context) {
        if (context.isEmpty()) {
            return question;
        }
        return context.groundingPrompt() + "\n\nQuestion: " + question;
    }

    /** "Sources:" then one line per passage, "[n] file, place (score 0.83)"; empty when nothing was retrieved. */
    public static String sourcesList(RagContext context) {
        if (context.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder("Sources:");
        for (Source s : context.sources()) {
            sb.append("\n  [").append(s.number()).append("] ").append(s.label())
                    .append(String.format(Locale.ROOT, " (score %.2f)", s.score()));
        }
        return sb.toString();
    }
}
