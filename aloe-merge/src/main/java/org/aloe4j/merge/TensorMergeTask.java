package org.aloe4j.merge;

import java.util.List;
import java.util.Objects;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Merges one tensor, chunk by chunk, following mergekit's arithmetic (in float32, as torch does on float32 inputs):
 *
 * <ul>
 *   <li>linear ({@code linear.py}): {@code sum_i(w_i * x_i)}, divided by {@code sum_i w_i} when normalizing;</li>
 *   <li>the task-arithmetic family ({@code generalized_task_arithmetic.py}): task vectors {@code d_i = x_i - base};
 *       each sparsified ({@code sparsify.py}: magnitude trim for TIES, random drop with division by the density for
 *       DARE when rescaling); weighted {@code wd_i = d_i * w_i}; with sign consensus the elected sign per element is
 *       that of {@code sum_i wd_i} (zero counts as positive), a model takes part where its {@code wd_i} has that
 *       sign (a zero never does), and the mix {@code sum(wd_i over agreeing i)} is divided, when normalizing, by
 *       {@code sum(w_i over agreeing i)} (1 where none agrees); without consensus the mix is {@code sum_i wd_i}
 *       divided by {@code sum_i w_i} (1 when below 1e-8); then times {@code lambda}; the result is
 *       {@code base + mix}.</li>
 * </ul>
 *
 * Chunks are independent once {@link #prepare()} has run (it finds the TIES thresholds, reading each task vector in
 * full a few times), so they can be computed in parallel and in any order; chunk starts must be multiples of
 * {@link #chunkElements()}.
 */
final class TensorMergeTask {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    /** One model's input to this tensor. */
    record Input(FloatSource source, double weight, double density, int modelIndex) {
        Input {
            Objects.requireNonNull(source, "source");
        }
    }

    /** Per-thread work arrays, reused across chunks and tensors. */
    static final class Scratch {
        private float[] base = new float[0];
        private float[][] inputs = new float[0][];

        private void ensure(int models, int count) {
            if (base.length < count) {
                base = new float[count];
            }
            if (inputs.length < models) {
                float[][] grown = new float[models][];
                System.arraycopy(inputs, 0, grown, 0, inputs.length);
                inputs = grown;
            }
            for (int i = 0; i < models; i++) {
                if (inputs[i] == null || inputs[i].length < count) {
                    inputs[i] = new float[count];
                }
            }
        }
    }

    private final String name;
    private final MergeMethod method;
    private final FloatSource base;
    private final List<Input> inputs;
    private final boolean normalize;
    private final boolean rescale;
    private final float lambda;
    private final int chunkElements;
    private final long size;
    private final float[] weights;
    private final long[] dareKeys;
    /** The divisor when there is no sign consensus (one value for the whole tensor). */
    private final float plainDivisor;
    private volatile MagnitudeSelection[] selections;

    /**
     * @param base the base model's tensor; null for {@link MergeMethod#LINEAR}
     * @param inputs the other models' tensors (for linear: all models), each of the same size as the base
     */
    TensorMergeTask(String name, MergeMethod method, FloatSource base, List<Input> inputs, boolean normalize,
            boolean rescale, double lambda, long seed, int chunkElements) {
        this.name = Objects.requireNonNull(name, "name");
        this.method = Objects.requireNonNull(method, "method");
        this.inputs = List.copyOf(inputs);
        if (method.usesBase() != (base != null)) {
            throw new IllegalArgumentException(method.configName() + (base == null ? " needs" : " takes no")
                    + " base tensor");
        }
        if (chunkElements <= 0) {
            throw new IllegalArgumentException("chunkElements " + chunkElements);
        }
        if (this.inputs.isEmpty() && base == null) {
            throw new IllegalArgumentException(name + ": nothing to merge");
        }
        this.base = base;
        this.size = base != null ? base.size() : this.inputs.get(0).source().size();
        for (Input in : this.inputs) {
            if (in.source().size() != size) {
                throw new IllegalArgumentException(name + ": input of " + in.source().size() + " elements, expected "
                        + size);
            }
            if (!(in.density() > 0)) {
                throw new IllegalArgumentException(name + ": density " + in.density());
            }
        }
        this.normalize = normalize;
        this.rescale = rescale;
        this.lambda = (float) lambda;
        this.chunkElements = chunkElements;
        int m = this.inputs.size();
        this.weights = new float[m];
        this.dareKeys = new long[m];
        float weightSum = 0f;
        for (int i = 0; i < m; i++) {
            Input in = this.inputs.get(i);
            weights[i] = (float) in.weight(); // torch.tensor(weights, dtype=deltas.dtype)
            weightSum += weights[i];
            dareKeys[i] = DareMask.streamKey(seed, name, in.modelIndex());
        }
        if (method == MergeMethod.LINEAR) {
            plainDivisor = weightSum;
        } else {
            plainDivisor = Math.abs(weightSum) < 1e-8f ? 1f : weightSum;
        }
    }

    String name() {
        return name;
    }

    /** Number of elements of the merged tensor. */
    long size() {
        return size;
    }

    int chunkElements() {
        return chunkElements;
    }

    /** The number of elements TIES keeps of a task vector: {@code int(density * numel)} as mergekit computes it. */
    static long magnitudeKeep(double density, long elements) {
        return (long) (density * elements);
    }

    /** Finds what must be known about whole task vectors before chunks can be merged (TIES thresholds); idempotent. */
    void prepare() {
        if (selections != null) {
            return;
        }
        synchronized (this) {
            if (selections != null) {
                return;
            }
            MagnitudeSelection[] s = new MagnitudeSelection[inputs.size()];
            if (method.sparsification() == MergeMethod.Sparsification.MAGNITUDE) {
                for (int i = 0; i < s.length; i++) {
                    Input in = inputs.get(i);
                    if (in.density() >= 1) {
                        continue;
                    }
                    long k = magnitudeKeep(in.density(), size);
                    if (k < 1) {
                        throw new MergeException("tensor '" + name + "': density " + in.density() + " keeps no element of "
                                + size);
                    }
                    float[] baseChunk = new float[(int) Math.min(chunkElements, size)];
                    s[i] = MagnitudeSelection.select(size, k, chunkElements, (start, count, dst) -> {
                        base.read(start, baseChunk, 0, count);
                        in.source().read(start, dst, 0, count);
                        for (int e = 0; e < count; e++) {
                            dst[e] -= baseChunk[e];
                        }
                        base.release(start, count);
                        in.source().release(start, count);
                    }, rescale);
                }
            }
            selections = s;
        }
    }

    /** Merges elements {@code [start, start + count)} into {@code out[0..count)}. */
    void compute(long start, int count, float[] out, Scratch scratch) {
        if (start % chunkElements != 0 || count > chunkElements || count < 0 || start + count > size) {
            throw new IllegalArgumentException(name + ": bad chunk [" + start + ", +" + count + ")");
        }
        prepare();
        int m = inputs.size();
        scratch.ensure(m, count);
        float[][] x = scratch.inputs;
        for (int i = 0; i < m; i++) {
            inputs.get(i).source().read(start, x[i], 0, count);
        }
        if (method == MergeMethod.LINEAR) {
            linear(count, x, out);
        } else {
            float[] b = scratch.base;
            base.read(start, b, 0, count);
            for (int i = 0; i < m; i++) {
                taskVector(i, start, b, x[i], count);
            }
            if (method.signConsensus()) {
                disjointMerge(count, b, x, out);
            } else {
                sumMerge(count, b, x, out);
            }
            base.release(start, count);
        }
        for (Input in : inputs) {
            in.source().release(start, count);
        }
    }

    private void linear(int count, float[][] x, float[] out) {
        java.util.Arrays.fill(out, 0, count, 0f);
        for (int i = 0; i < x.length && i < inputs.size(); i++) {
            float w = weights[i];
            float[] xi = x[i];
            for (int e = 0; e < count; e++) {
                out[e] += w * xi[e];
            }
        }
        if (normalize) {
            for (int e = 0; e < count; e++) {
                out[e] = out[e] / plainDivisor;
            }
        }
    }

    /** Turns {@code x} into model i's weighted, sparsified task vector {@code w_i * sparsify(x - base)}. */
    private void taskVector(int i, long start, float[] b, float[] x, int count) {
        for (int e = 0; e < count; e++) {
            x[e] -= b[e];
        }
        Input in = inputs.get(i);
        if (in.density() < 1) {
            switch (method.sparsification()) {
                case MAGNITUDE -> selections[i].apply(start, x, count);
                case RANDOM -> DareMask.apply(dareKeys[i], start, x, count, in.density(), rescale);
                case NONE -> { }
            }
        }
        float w = weights[i];
        for (int e = 0; e < count; e++) {
            x[e] *= w;
        }
    }

    private void sumMerge(int count, float[] b, float[][] wd, float[] out) {
        int m = inputs.size();
        int e = 0;
        int upper = F.loopBound(count);
        for (; e < upper; e += F.length()) {
            FloatVector mix = FloatVector.zero(F);
            for (int i = 0; i < m; i++) {
                mix = mix.add(FloatVector.fromArray(F, wd[i], e));
            }
            if (normalize) {
                mix = mix.div(plainDivisor);
            }
            if (lambda != 1f) {
                mix = mix.mul(lambda);
            }
            FloatVector.fromArray(F, b, e).add(mix).intoArray(out, e);
        }
        for (; e < count; e++) {
            float mix = 0f;
            for (int i = 0; i < m; i++) {
                mix += wd[i][e];
            }
            if (normalize) {
                mix /= plainDivisor;
            }
            if (lambda != 1f) {
                mix *= lambda;
            }
            out[e] = b[e] + mix;
        }
    }

    private void disjointMerge(int count, float[] b, float[][] wd, float[] out) {
        int m = inputs.size();
        int e = 0;
        int upper = F.loopBound(count);
        FloatVector zero = FloatVector.zero(F);
        for (; e < upper; e += F.length()) {
            FloatVector sum = zero;
            for (int i = 0; i < m; i++) {
                sum = sum.add(FloatVector.fromArray(F, wd[i], e));
            }
            // +1 where the sum is >= 0, -1 elsewhere (NaN included), as (sign_weight >= 0) * 2 - 1
            FloatVector elected = FloatVector.broadcast(F, -1f).blend(1f, sum.compare(VectorOperators.GE, 0f));
            FloatVector mix = zero;
            FloatVector divisor = zero;
            for (int i = 0; i < m; i++) {
                FloatVector v = FloatVector.fromArray(F, wd[i], e);
                VectorMask<Float> agrees = v.mul(elected).compare(VectorOperators.GT, 0f);
                mix = mix.add(v, agrees);
                divisor = divisor.add(FloatVector.broadcast(F, weights[i]), agrees);
            }
            if (normalize) {
                mix = mix.div(divisor.blend(1f, divisor.compare(VectorOperators.EQ, 0f)));
            }
            if (lambda != 1f) {
                mix = mix.mul(lambda);
            }
            FloatVector.fromArray(F, b, e).add(mix).intoArray(out, e);
        }
        for (; e < count; e++) {
            float sum = 0f;
            for (int i = 0; i < m; i++) {
                sum += wd[i][e];
            }
            float elected = sum >= 0f ? 1f : -1f;
            float mix = 0f;
            float divisor = 0f;
            for (int i = 0; i < m; i++) {
                float v = wd[i][e];
                if (v * elected > 0f) { // same sign as elected; a zero never agrees
                    mix += v;
                    divisor += weights[i];
                }
            }
            if (normalize) {
                mix /= divisor == 0f ? 1f : divisor;
            }
            if (lambda != 1f) {
                mix *= lambda;
            }
            out[e] = b[e] + mix;
        }
    }

    @Override
    public String toString() {
        return "TensorMergeTask[" + name + ", " + method.configName() + ", " + inputs.size() + " inputs, " + size
                + " elements]";
    }
}
