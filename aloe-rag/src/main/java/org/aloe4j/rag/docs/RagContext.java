package org.aloe4j.rag.docs;

import java.util.List;

/**
 * What retrieval gives a chat or server turn: the numbered passages as one text to put in the prompt, and the
 * sources to list to the user (numbers match the {@code [n]} marks in the text).
 */
public record RagContext(String question, String text, List<Source> sources) {

    public RagContext {
        sources = List.copyOf(sources);
    }

    public boolean isEmpty() {
        return sources.isEmpty();
    }

    /**
     * The passages wrapped in a short instruction, ready to go into a system or user message: answer from them,
     * cite them as [n], say so when they do not hold the answer.
     */
    public String groundingPrompt() {
        if (isEmpty()) {
            return "";
        }
        return "Use the numbered passages below to answer. Cite the passages you rely on as [n]. If they do not "
                + "contain the answer, say so and answer from general knowledge with that caveat.\n\n" + text;
    }
}
