package org.aloe4j.rag.medprompt;

import java.util.List;

/**
 * Scores retrieved examples against the question (a cross-encoder in promptbase): higher is more relevant.
 * {@link KnowledgeBase#nearest(String, int, Reranker, int)} retrieves {@code k * nRank} candidates by embedding and
 * keeps the {@code k} this scores highest.
 */
@FunctionalInterface
public interface Reranker {

    /** One score per candidate, in the candidates' order. */
    double[] score(String question, List<Example> candidates);
}
