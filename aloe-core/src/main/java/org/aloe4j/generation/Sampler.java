package org.aloe4j.generation;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Picks the next token from a row of logits with Hugging Face {@code generate()} semantics (transformers
 * {@code generation/utils.py} {@code _get_logits_processor}, {@code generation/logits_process.py}), in HF's order:
 * <ol>
 *   <li>repetition penalty over every distinct id of the context (prompt + generated so far):
 *       {@code score < 0 ? score * p : score / p}; applied in greedy decoding too, as HF does;</li>
 *   <li>temperature: {@code score / T};</li>
 *   <li>top_k: drop every score below the k-th largest (ties with it are kept);</li>
 *   <li>top_p: sort ascending, cumulative softmax, drop tokens whose cumulative probability is {@code <= 1 - top_p}
 *       (at least the most likely token stays); computed here in the equivalent descending form: a token stays when
 *       the probability of the tokens ranked above it is below {@code top_p};</li>
 *   <li>min_p: drop tokens whose probability is below {@code min_p} times the largest (after temperature);</li>
 *   <li>draw from the softmax of what is left.</li>
 * </ol>
 * Greedy decoding ({@code temperature == 0}) is the argmax, the lowest id on ties. Scores are float32 like HF's
 * ({@code (float)} penalty and temperature arithmetic), probabilities are computed in double. Ties in the sorted order
 * put the lower id first. At an exact top_p boundary (cumulative probability equal to {@code top_p}) rounding decides,
 * as it does in HF's float32 cumsum.
 *
 * <p>Speed: with top_k set, two passes over the vocabulary (a k-sized heap finds the threshold, then the tokens at or
 * above it are gathered) and the softmax is computed over those few tokens only; without top_k, one exp per token and
 * a sort of only the tokens that can be in the nucleus. Scratch arrays are allocated on the first call and reused: no
 * allocation per call. Not thread-safe: one Sampler per sequence.
 */
public final class Sampler {
    private final SamplingSettings settings;
    private final SplittableRandom random;
    private final float temperature;
    private final float penalty;

    private float[] work = new float[0];      // penalised, then temperature-scaled scores
    private double[] expById = new double[0]; // exp(score - max) per id (paths without top_k)
    private int[] kept = new int[0];          // kept ids, in drawing order
    private double[] keptWeight = new double[0];
    private long[] keys = new long[0];        // sort keys: score desc, id asc
    private float[] heap = new float[0];      // top_k min-heap
    private int keptCount;
    private double keptTotal;

    public Sampler(SamplingSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.random = settings.seed() == null ? new SplittableRandom() : new SplittableRandom(settings.seed());
        this.temperature = (float) settings.temperature();
        if (!settings.greedy() && !(temperature > 0)) {
            throw new IllegalArgumentException("temperature " + settings.temperature() + " is too small for float scores");
        }
        this.penalty = (float) settings.repetitionPenalty();
    }

    public SamplingSettings settings() {
        return settings;
    }

    /**
     * The next token id.
     *
     * @param logits scores of the next token; entries {@code [0, vocabSize)} are read, never written
     * @param vocabSize how many entries of {@code logits} are tokens
     * @param context the distinct ids of prompt and generated tokens, for the repetition penalty (may be null when
     *     the penalty is off)
     */
    public int sample(float[] logits, int vocabSize, TokenSet context) {
        prepare(logits, vocabSize, context);
        if (settings.greedy()) {
            return argmax(vocabSize);
        }
        select(vocabSize);
        double u = random.nextDouble() * keptTotal;
        double cumulative = 0;
        for (int j = 0; j < keptCount; j++) {
            cumulative += keptWeight[j];
            if (u < cumulative) {
                return kept[j];
            }
        }
        return kept[keptCount - 1]; // u landed on the rounding slack at the very end
    }

    /**
     * {@code log(sum_i exp(logits[i]))} over {@code [0, n)}, in double and shifted by the maximum so that it cannot
     * overflow: the normalizer of a log-softmax ({@code logprob_i = logits[i] - logSumExp}).
     */
    public static double logSumExp(float[] logits, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, logits[i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(logits[i] - max);
        }
        return max + Math.log(sum);
    }

    /**
     * The probability vector {@link #sample} draws from (one-hot at the argmax for greedy settings): for tests, and
     * for log-probabilities of what the sampler would do.
     */
    public static double[] distribution(float[] logits, int vocabSize, SamplingSettings settings, TokenSet context) {
        Sampler sampler = new Sampler(settings.withSeed(0L));
        sampler.prepare(logits, vocabSize, context);
        double[] p = new double[vocabSize];
        if (settings.greedy()) {
            p[sampler.argmax(vocabSize)] = 1;
            return p;
        }
        sampler.select(vocabSize);
        for (int j = 0; j < sampler.keptCount; j++) {
            p[sampler.kept[j]] = sampler.keptWeight[j] / sampler.keptTotal;
        }
        return p;
    }

    /**
     * Copies the scores, applies the repetition penalty, then the temperature (when sampling), in float like HF's
     * float32 tensors; top_k then compares scaled scores, as HF's does.
     */
    private void prepare(float[] logits, int vocabSize, TokenSet context) {
        if (vocabSize <= 0 || vocabSize > logits.length) {
            throw new IllegalArgumentException("vocabSize " + vocabSize + " must be in 1.." + logits.length);
        }
        if (work.length < vocabSize) {
            work = new float[vocabSize];
        }
        System.arraycopy(logits, 0, work, 0, vocabSize);
        if (penalty != 1f && context != null) {
            for (int i = 0; i < context.size(); i++) {
                int id = context.get(i);
                if (id >= vocabSize) {
                    throw new IllegalArgumentException("context token id " + id + " is outside the vocabulary of "
                            + vocabSize);
                }
                float score = work[id];
                work[id] = score < 0 ? score * penalty : score / penalty;
            }
        }
        if (!settings.greedy() && temperature != 1f) {
            for (int i = 0; i < vocabSize; i++) {
                work[i] /= temperature;
            }
        }
    }

    /** Argmax of the prepared scores, lowest id on ties; NaN never wins. */
    private int argmax(int vocabSize) {
        int best = -1;
        float bestScore = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocabSize; i++) {
            float v = work[i];
            if (v > bestScore || (best < 0 && v == bestScore)) {
                best = i;
                bestScore = v;
            }
        }
        if (best < 0) {
            throw new IllegalArgumentException("no token has a comparable logit (all NaN)");
        }
        return best;
    }

    /** Fills kept/keptWeight/keptCount/keptTotal with the tokens that survive top_k, top_p and min_p. */
    private void select(int vocabSize) {
        int k = settings.topK();
        if (k > 0 && k < vocabSize) {
            selectTopK(vocabSize, k);
        } else {
            selectFullVocabulary(vocabSize);
        }
    }

    /** top_k first: only the k best (plus ties) get a softmax; top_p and min_p then work on them, sorted. */
    private void selectTopK(int vocabSize, int k) {
        float threshold = kthLargest(vocabSize, k);
        ensureKept(k);
        int n = 0;
        for (int i = 0; i < vocabSize; i++) {
            if (work[i] >= threshold) {
                if (n == kept.length) {
                    ensureKept(2 * n); // ties at the threshold
                }
                kept[n++] = i;
            }
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            max = Math.max(max, work[kept[j]]);
        }
        requireFinite(max);
        for (int j = 0; j < n; j++) {
            keys[j] = sortKey(work[kept[j]], kept[j]);
        }
        sortDescending(n);
        double total = 0;
        for (int j = 0; j < n; j++) {
            kept[j] = keyId(keys[n - 1 - j]);
            keptWeight[j] = Math.exp((double) work[kept[j]] - max);
            total += keptWeight[j];
        }
        keptCount = n;
        keptTotal = total;
        applyTopPAndMinP();
    }

    /** No top_k: softmax over the whole vocabulary; sort only what can be in the nucleus. */
    private void selectFullVocabulary(int vocabSize) {
        ensureKept(vocabSize);
        if (expById.length < vocabSize) {
            expById = new double[vocabSize];
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocabSize; i++) {
            if (work[i] > max) {
                max = work[i];
            }
        }
        requireFinite(max);
        double z = 0;
        for (int i = 0; i < vocabSize; i++) {
            double e = Math.exp((double) work[i] - max); // NaN scores give NaN: never >= a threshold below
            e = e == e ? e : 0;
            expById[i] = e;
            z += e;
        }
        double topP = settings.topP();
        if (topP < 1) {
            // The nucleus is a prefix of the descending order: gather everything with exp >= tau, and lower tau
            // until what was gathered holds at least top_p of the mass (then nothing outside can be in the nucleus).
            double tau = 1e-3;
            int n;
            while (true) {
                n = 0;
                double mass = 0;
                for (int i = 0; i < vocabSize; i++) {
                    if (expById[i] >= tau) {
                        kept[n++] = i;
                        mass += expById[i];
                    }
                }
                if (mass >= topP * z || tau == 0) {
                    break;
                }
                tau = tau > 1e-30 ? tau * 1e-3 : 0;
            }
            for (int j = 0; j < n; j++) {
                keys[j] = sortKey(work[kept[j]], kept[j]);
            }
            sortDescending(n);
            for (int j = 0; j < n; j++) {
                kept[j] = keyId(keys[n - 1 - j]);
                keptWeight[j] = expById[kept[j]];
            }
            keptCount = n;
            keptTotal = z; // top_p compares with the whole vocabulary's mass
            applyTopPAndMinP();
        } else {
            double minP = settings.minP();
            int n = 0;
            double total = 0;
            for (int i = 0; i < vocabSize; i++) {
                double e = expById[i];
                if (e > 0 && e >= minP) { // the largest has exp 1, so e >= min_p * 1 is HF's min_p rule
                    kept[n] = i;
                    keptWeight[n++] = e;
                    total += e;
                }
            }
            keptCount = n;
            keptTotal = total;
        }
    }

    /**
     * On kept tokens sorted by descending score, with keptTotal the mass top_p is measured against: keeps the
     * prefix whose preceding mass is below top_p (at least one token), then the tokens at or above min_p times the
     * largest probability; keptTotal becomes the kept mass.
     */
    private void applyTopPAndMinP() {
        double topP = settings.topP();
        int n = keptCount;
        if (topP < 1) {
            double limit = topP * keptTotal;
            double before = keptWeight[0];
            int stop = 1;
            while (stop < n && before < limit) {
                before += keptWeight[stop];
                stop++;
            }
            n = stop;
        }
        double minP = settings.minP();
        if (minP > 0) {
            double floor = minP * keptWeight[0];
            int stop = 1;
            while (stop < n && keptWeight[stop] >= floor) {
                stop++;
            }
            n = stop;
        }
        double total = 0;
        for (int j = 0; j < n; j++) {
            total += keptWeight[j];
        }
        keptCount = n;
        keptTotal = total;
    }

    /** The k-th largest score (NaN skipped), by a k-sized min-heap in one pass. */
    private float kthLargest(int vocabSize, int k) {
        if (heap.length < k) {
            heap = new float[k];
        }
        int n = 0;
        for (int i = 0; i < vocabSize; i++) {
            float v = work[i];
            if (n < k) {
                if (v == v) {
                    heap[n] = v;
                    siftUp(n++);
                }
            } else if (v > heap[0]) {
                heap[0] = v;
                siftDown(k);
            }
        }
        if (n == 0) {
            throw new IllegalArgumentException("no token has a comparable logit (all NaN)");
        }
        return heap[0];
    }

    private void siftUp(int i) {
        float v = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (heap[parent] <= v) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = v;
    }

    private void siftDown(int size) {
        float v = heap[0];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && heap[child + 1] < heap[child]) {
                child++;
            }
            if (heap[child] >= v) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = v;
    }

    /** Ascending order of these keys = ascending score, and for equal scores descending id. */
    private static long sortKey(float score, int id) {
        int bits = Float.floatToIntBits(score == 0 ? 0f : score); // -0.0 and 0.0 are one score
        bits ^= (bits >> 31) & 0x7fffffff;                          // IEEE bits -> signed int order
        return ((long) bits << 32) | (0xffffffffL - id);
    }

    private static int keyId(long key) {
        return (int) (0xffffffffL - (key & 0xffffffffL));
    }

    private void sortDescending(int n) {
        if (n <= 32) {
            for (int i = 1; i < n; i++) { // insertion sort: the usual top_k sizes
                long key = keys[i];
                int j = i - 1;
                while (j >= 0 && keys[j] > key) {
                    keys[j + 1] = keys[j];
                    j--;
                }
                keys[j + 1] = key;
            }
        } else {
            Arrays.sort(keys, 0, n);
        }
    }

    /** Grows the kept-token scratch to hold {@code n} (the top_k path needs about k, the others the vocabulary). */
    private void ensureKept(int n) {
        if (kept.length < n) {
            kept = Arrays.copyOf(kept, n);
            keptWeight = new double[n];
            keys = new long[n];
        }
    }

    private static void requireFinite(float max) {
        if (!Float.isFinite(max)) {
            throw new IllegalArgumentException("the largest logit is " + max + ": cannot form a distribution");
        }
    }
}
