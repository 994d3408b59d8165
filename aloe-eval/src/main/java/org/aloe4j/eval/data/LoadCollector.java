package org.aloe4j.eval.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Gathers a loader's output: items (ids must be unique), rejected rows, notes, exemplars. */
final class LoadCollector {
    final List<Question> questions = new ArrayList<>();
    final List<RowError> errors = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    final Map<String, List<Question>> exemplars = new LinkedHashMap<>();
    private final Set<String> ids = new HashSet<>();

    /** Builds the question; a bad field or a repeated id becomes an error for that row. */
    void add(Path file, long line, QuestionSupplier s) {
        Question q;
        try {
            q = s.get();
        } catch (IllegalArgumentException e) {
            errors.add(new RowError(file, line, e.getMessage()));
            return;
        }
        if (!ids.add(q.id())) {
            errors.add(new RowError(file, line, "id '" + q.id() + "' already used by an earlier row"));
            return;
        }
        questions.add(q);
    }

    void error(Path file, long line, String message) {
        errors.add(new RowError(file, line, message));
    }

    LoadResult result() {
        return new LoadResult(questions, errors, notes, exemplars);
    }

    @FunctionalInterface
    interface QuestionSupplier {
        Question get();
    }

    static String stem(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }

    /** Throws a clear error when the path does not exist. */
    static void requireExists(Path p) {
        if (!java.nio.file.Files.exists(p)) {
            throw new DatasetException(p + ": no such file or directory");
        }
    }
}
