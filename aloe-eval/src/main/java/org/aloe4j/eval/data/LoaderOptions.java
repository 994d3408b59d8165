package org.aloe4j.eval.data;

/**
 * Choices a loader cannot make from the file alone. {@code indexBase}: 0 or 1 for numeric answers (MedMCQA/CareQA
 * {@code cop}, generic JSONL indices); null detects it from the whole file and fails when the file cannot tell.
 */
public record LoaderOptions(Integer indexBase) {

    public LoaderOptions {
        if (indexBase != null && indexBase != 0 && indexBase != 1) {
            throw new IllegalArgumentException("index base must be 0 or 1: " + indexBase);
        }
    }

    public static LoaderOptions defaults() {
        return new LoaderOptions(null);
    }
}
