package org.aloe4j.server;

import java.util.List;

/**
 * Retrieval for {@code aloe serve --rag}: passages that answer a question, to put in the prompt, and the sources to
 * list with the answer. The CLI adapts the document index ({@code org.aloe4j.rag.docs.Retriever}) to this, which
 * keeps the server free of the retrieval stack.
 */
@FunctionalInterface
public interface Grounding {

    /** The passages for {@code question}; an empty context when nothing relevant was found. */
    Context ground(String question);

    /**
     * @param instructions the text added to the system prompt: how to use the passages, and the passages numbered
     *                     [1]..[n]
     * @param sources      what [1]..[n] are
     */
    record Context(String instructions, List<Source> sources) {
        public Context {
            sources = List.copyOf(sources);
        }

        public boolean isEmpty() {
            return sources.isEmpty();
        }
    }

    /** One passage given to the model: its number in the prompt, a label such as "guide.pdf, page 3", its score. */
    record Source(int number, String label, String file, double score) {}
}
