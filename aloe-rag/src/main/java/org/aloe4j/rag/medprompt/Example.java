package org.aloe4j.rag.medprompt;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Objects;
import java.util.SequencedMap;

/**
 * One solved question of the Medprompt knowledge base: the question, its options in order (letter to text), the
 * chain-of-thought reasoning that reached the answer, and the answer letter (a key of {@code options}).
 */
public record Example(String id, String question, SequencedMap<String, String> options, String reasoning,
        String answer) {

    public Example {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(reasoning, "reasoning");
        Objects.requireNonNull(answer, "answer");
        if (id.isBlank()) {
            throw new IllegalArgumentException("example id is blank");
        }
        if (question.isBlank()) {
            throw new IllegalArgumentException("example " + id + ": question is blank");
        }
        if (options.isEmpty()) {
            throw new IllegalArgumentException("example " + id + ": no options");
        }
        if (!options.containsKey(answer)) {
            throw new IllegalArgumentException("example " + id + ": answer '" + answer + "' is not one of the options "
                    + options.keySet());
        }
        options = Collections.unmodifiableSequencedMap(new LinkedHashMap<>(options));
    }
}
