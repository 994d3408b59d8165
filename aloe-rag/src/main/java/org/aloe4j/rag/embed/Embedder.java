package org.aloe4j.rag.embed;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns texts into unit-length vectors (so that cosine similarity is a dot product).
 *
 * <p>Implementations embed a batch per call of {@link #embed(List)}; {@link #embed(List, EmbeddingProgress)} splits a
 * long list into batches of {@link #batchSize()} and reports after each one.
 */
public interface Embedder extends AutoCloseable {

    /**
     * One unit-length vector of {@link #dimension()} floats per text, in the order of the texts.
     *
     * @throws IllegalArgumentException for a null or blank text (it has no meaning to embed)
     */
    float[][] embed(List<String> texts);

    int dimension();

    /** Identifies the model (and, for a remote one, where it is), so that an index can refuse a different one. */
    String name();

    /** How many texts go into one call of {@link #embed(List)} when a long list is split. */
    default int batchSize() {
        return 32;
    }

    /**
     * The instruction this model wants in front of a short query that searches passages (asymmetric retrieval), or
     * "" when it wants none. Question-to-question similarity (Medprompt's example retrieval) uses no instruction.
     */
    default String queryInstruction() {
        return "";
    }

    default float[] embed(String text) {
        return embed(List.of(text))[0];
    }

    /** Embeds any number of texts in batches, telling {@code progress} after each batch. */
    default float[][] embed(List<String> texts, EmbeddingProgress progress) {
        float[][] out = new float[texts.size()][];
        int batch = Math.max(1, batchSize());
        for (int from = 0; from < texts.size(); from += batch) {
            int to = Math.min(texts.size(), from + batch);
            float[][] part = embed(new ArrayList<>(texts.subList(from, to)));
            System.arraycopy(part, 0, out, from, part.length);
            progress.embedded(to, texts.size());
        }
        return out;
    }

    @Override
    default void close() {}

    /** {@code texts.get(i)}, refused with its position when it is null or blank. */
    static String requireText(List<String> texts, int i) {
        String t = texts.get(i);
        if (t == null || t.isBlank()) {
            throw new IllegalArgumentException("cannot embed a blank text (item " + i + " of " + texts.size() + ")");
        }
        return t;
    }
}
