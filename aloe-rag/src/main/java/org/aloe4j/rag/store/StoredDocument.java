package org.aloe4j.rag.store;

import java.util.Map;
import java.util.Objects;

/**
 * One item of a {@link VectorStore}: a unique id, the text (searched by BM25 where the store supports it), its
 * embedding, and string fields kept with it (source file, chunk position, a Medprompt example's options...).
 */
public record StoredDocument(String id, String text, float[] vector, Map<String, String> fields) {

    public StoredDocument {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(vector, "vector");
        fields = fields == null ? Map.of() : Map.copyOf(fields);
        if (id.isEmpty()) {
            throw new IllegalArgumentException("document id is empty");
        }
    }
}
