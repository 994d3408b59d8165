package org.aloe4j.rag.medprompt;

/** An example found for a question, with its similarity to it (1 - cosine distance of the question embeddings). */
public record RetrievedExample(Example example, double similarity) {}
