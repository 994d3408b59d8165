package org.aloe4j.merge;

import java.util.ArrayList;
import java.util.List;

/** Runs a {@link TensorMergeTask} over float arrays (the tests' way to call the merge arithmetic without files). */
final class ArrayMerge {
    MergeMethod method;
    float[] base;
    final List<float[]> models = new ArrayList<>();
    final List<Double> weights = new ArrayList<>();
    final List<Double> densities = new ArrayList<>();
    final List<Integer> indices = new ArrayList<>();
    Boolean normalize;
    Boolean rescale;
    double lambda = 1;
    long seed = 42;
    String name = "model.layers.0.mlp.up_proj.weight";
    int chunk = 1 << 16;

    static ArrayMerge of(MergeMethod method, float[] base) {
        ArrayMerge m = new ArrayMerge();
        m.method = method;
        m.base = base;
        return m;
    }

    ArrayMerge model(float[] x, double weight) {
        return model(x, weight, 1.0);
    }

    ArrayMerge model(float[] x, double weight, double density) {
        models.add(x);
        weights.add(weight);
        densities.add(density);
        indices.add(models.size());
        return this;
    }

    ArrayMerge normalize(boolean v) {
        normalize = v;
        return this;
    }

    ArrayMerge rescale(boolean v) {
        rescale = v;
        return this;
    }

    ArrayMerge lambda(double v) {
        lambda = v;
        return this;
    }

    ArrayMerge seed(long v) {
        seed = v;
        return this;
    }

    ArrayMerge chunk(int v) {
        chunk = v;
        return this;
    }

    ArrayMerge name(String v) {
        name = v;
        return this;
    }

    TensorMergeTask task() {
        List<TensorMergeTask.Input> inputs = new ArrayList<>();
        for (int i = 0; i < models.size(); i++) {
            inputs.add(new TensorMergeTask.Input(FloatSource.of(models.get(i)), weights.get(i), densities.get(i),
                    indices.get(i)));
        }
        return new TensorMergeTask(name, method, base == null ? null : FloatSource.of(base), inputs,
                normalize != null ? normalize : method.defaultNormalize(),
                rescale != null ? rescale : method.defaultRescale(), lambda, seed, chunk);
    }

    float[] run() {
        TensorMergeTask task = task();
        int n = (int) task.size();
        float[] out = new float[n];
        float[] buf = new float[chunk];
        TensorMergeTask.Scratch scratch = new TensorMergeTask.Scratch();
        for (int start = 0; start < n; start += chunk) {
            int count = Math.min(chunk, n - start);
            task.compute(start, count, buf, scratch);
            System.arraycopy(buf, 0, out, start, count);
        }
        return out;
    }
}
