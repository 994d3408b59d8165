package org.aloe4j.rag.embed;

import java.util.List;
import java.util.Locale;

/**
 * A deterministic stand-in for a neural embedder in unit tests: lower-cased words hashed into {@code dimension}
 * buckets (bag of words), normalized. Texts that share words are similar; it needs no model.
 */
public final class HashingEmbedder implements Embedder {

    private final int dimension;
    private final String name;
    private int calls;

    public HashingEmbedder(int dimension) {
        this(dimension, "hashing-" + dimension);
    }

    public HashingEmbedder(int dimension, String name) {
        this.dimension = dimension;
        this.name = name;
    }

    @Override
    public float[][] embed(List<String> texts) {
        calls++;
        float[][] out = new float[texts.size()][];
        for (int i = 0; i < out.length; i++) {
            float[] v = new float[dimension];
            for (String w : Embedder.requireText(texts, i).toLowerCase(Locale.ROOT).split("[^a-z0-9]+")) {
                if (!w.isEmpty()) {
                    v[Math.floorMod(w.hashCode(), dimension)] += 1;
                }
            }
            v[0] += 0.01f; // no zero vector for a text without words
            out[i] = Vectors.normalized(v);
        }
        return out;
    }

    /** How many times {@link #embed(List)} was called. */
    public int calls() {
        return calls;
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int batchSize() {
        return 4;
    }

    @Override
    public String queryInstruction() {
        return "query: ";
    }
}
