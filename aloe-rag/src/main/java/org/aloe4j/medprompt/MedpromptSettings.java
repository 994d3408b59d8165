package org.aloe4j.medprompt;

import org.aloe4j.rag.medprompt.Reranker;

/**
 * Medprompt's own settings (sampling, attempts, seed and tie rule come from the eval's {@code MethodOptions}):
 * {@code k} examples retrieved per question (0 = none: choice-shuffle chain of thought alone), {@code ensembles}
 * members (1..{@value #MAX_ENSEMBLES}), {@code shuffle} the options per member, and an optional {@code reranker}
 * that picks the best {@code k} of {@code k * nRank} retrieved candidates.
 */
public record MedpromptSettings(int k, int ensembles, boolean shuffle, Reranker reranker, int nRank) {

    public static final int DEFAULT_K = 5;
    public static final int DEFAULT_ENSEMBLES = 5;
    public static final int MAX_ENSEMBLES = 20;
    public static final int DEFAULT_N_RANK = 3;

    public MedpromptSettings {
        if (k < 0) {
            throw new IllegalArgumentException("medprompt: k must be >= 0, got " + k);
        }
        if (ensembles < 1 || ensembles > MAX_ENSEMBLES) {
            throw new IllegalArgumentException("medprompt: the ensemble has 1.." + MAX_ENSEMBLES + " members, got "
                    + ensembles);
        }
        if (nRank < 1) {
            throw new IllegalArgumentException("medprompt: n-rank must be >= 1, got " + nRank);
        }
    }

    /** k = 5, 5 shuffled members, no reranking. */
    public static MedpromptSettings defaults() {
        return new MedpromptSettings(DEFAULT_K, DEFAULT_ENSEMBLES, true, null, DEFAULT_N_RANK);
    }

    public MedpromptSettings withK(int newK) {
        return new MedpromptSettings(newK, ensembles, shuffle, reranker, nRank);
    }

    public MedpromptSettings withEnsembles(int n) {
        return new MedpromptSettings(k, n, shuffle, reranker, nRank);
    }

    public MedpromptSettings withShuffle(boolean s) {
        return new MedpromptSettings(k, ensembles, s, reranker, nRank);
    }

    public MedpromptSettings withReranker(Reranker r, int n) {
        return new MedpromptSettings(k, ensembles, shuffle, r, n);
    }
}
