package org.aloe4j.eval.data;

import java.util.List;
import java.util.Map;

/**
 * What a loader read: the items in file order, the rows it rejected (the load goes on without them), facts worth
 * showing the user (e.g. which {@code cop} convention a MedMCQA file uses) and, for MMLU, the dev exemplars by
 * subject.
 */
public record LoadResult(List<Question> questions, List<RowError> errors, List<String> notes,
                         Map<String, List<Question>> exemplars) {

    public LoadResult {
        questions = List.copyOf(questions);
        errors = List.copyOf(errors);
        notes = List.copyOf(notes);
        exemplars = Map.copyOf(exemplars);
    }
}
