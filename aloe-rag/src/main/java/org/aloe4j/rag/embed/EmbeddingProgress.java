package org.aloe4j.rag.embed;

/** Told after each batch how many of the texts of one {@link Embedder#embed(java.util.List, EmbeddingProgress)} call are done. */
@FunctionalInterface
public interface EmbeddingProgress {

    EmbeddingProgress NONE = (done, total) -> {};

    void embedded(int done, int total);
}
