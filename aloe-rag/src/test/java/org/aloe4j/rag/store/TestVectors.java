package org.aloe4j.rag.store;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.aloe4j.rag.embed.Vectors;

/** Random vectors and the exact (brute-force) cosine ranking the stores are checked against. */
public final class TestVectors {
    private TestVectors() {}

    /** Gaussian components: a direction uniform on the sphere (not yet normalized, the stores normalize). */
    public static float[] random(Random rng, int dimension) {
        float[] v = new float[dimension];
        for (int i = 0; i < dimension; i++) {
            v[i] = (float) rng.nextGaussian();
        }
        return v;
    }

    /** Document {@code i} of a deterministic test collection: the same id, text and vector on every call. */
    public static StoredDocument document(long seed, int i, int dimension) {
        return new StoredDocument("d" + i, "document number " + i, random(new Random(seed * 1_000_003L + i), dimension),
                Map.of("n", Integer.toString(i)));
    }

    public record Ranked(String id, double cosine) {}

    /** The k documents with the highest cosine to {@code query}, best first (double precision). */
    public static List<Ranked> bruteForce(List<StoredDocument> docs, float[] query, int k) {
        List<Ranked> all = new ArrayList<>();
        for (StoredDocument d : docs) {
            all.add(new Ranked(d.id(), Vectors.cosine(d.vector(), query)));
        }
        all.sort(Comparator.comparingDouble(Ranked::cosine).reversed());
        return all.subList(0, Math.min(k, all.size()));
    }
}
