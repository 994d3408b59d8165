package org.aloe4j.rag.store;

import java.util.Map;

/**
 * One result of a search. {@code score} depends on the search: cosine similarity (1 - cosine distance) for
 * {@link VectorStore#nearest}, the BM25 score for {@link VectorStore#textSearch}, the fused score for
 * {@link VectorStore#hybrid}. Results come best first.
 */
public record SearchHit(String id, String text, Map<String, String> fields, double score) {

    public SearchHit {
        fields = fields == null ? Map.of() : Map.copyOf(fields);
    }

    public String field(String name) {
        return fields.get(name);
    }

    public SearchHit withScore(double newScore) {
        return new SearchHit(id, text, fields, newScore);
    }
}
