package org.aloe4j.rag.store;

import java.util.List;
import java.util.Map;

/**
 * Documents with embeddings, searched by cosine similarity (and, where supported, BM25 on their text).
 *
 * <p>Vectors are normalized to unit length on the way in, so any non-zero vector may be given. Adding a document
 * whose id is already stored replaces it. What {@link #add} wrote is durable after {@link #commit()} (stores may
 * also commit on their own, see each implementation).
 */
public interface VectorStore extends AutoCloseable {

    /** Length of the stored vectors. */
    int dimension();

    void add(List<StoredDocument> documents);

    /** Makes every document added so far durable. */
    void commit();

    /** The {@code k} documents whose vectors are most similar to {@code query}, best first, score = cosine. */
    List<SearchHit> nearest(float[] query, int k);

    default boolean supportsTextSearch() {
        return false;
    }

    /** The {@code k} best documents for {@code query} by BM25 on their text, best first. */
    default List<SearchHit> textSearch(String query, int k) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no text search");
    }

    /**
     * Vector and text search fused by reciprocal rank fusion ({@link RankFusion}); each side contributes its best
     * {@code 2k} hits. Without text search this is {@link #nearest}.
     */
    default List<SearchHit> hybrid(String text, float[] vector, int k) {
        if (!supportsTextSearch()) {
            return nearest(vector, k);
        }
        return RankFusion.reciprocal(List.of(nearest(vector, 2 * k), textSearch(text, 2 * k)), k);
    }

    /** Removes the documents whose stored field {@code field} equals {@code value}. */
    void deleteWhere(String field, String value);

    /** How many documents are stored (including ones not yet committed). */
    long count();

    /** Small key/value facts about the store (which embedder made the vectors...), durable with the next commit. */
    Map<String, String> metadata();

    void putMetadata(String key, String value);

    @Override
    void close();
}
