package org.aloe4j.rag.docs;

/** A chunk found for a question; {@code score} is the fused (hybrid) or cosine score of the search that found it. */
public record RetrievedChunk(Chunk chunk, double score) {}
