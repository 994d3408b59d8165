package org.aloe4j.rag.embed;

/** Small vector helpers shared by the embedders and stores (not a hot path: the stores do the kNN work). */
public final class Vectors {
    private Vectors() {}

    public static double dot(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("vector lengths differ: " + a.length + " vs " + b.length);
        }
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    public static double norm(float[] a) {
        return Math.sqrt(dot(a, a));
    }

    public static double cosine(float[] a, float[] b) {
        return dot(a, b) / (norm(a) * norm(b));
    }

    /**
     * A unit-length copy of {@code v}.
     *
     * @throws IllegalArgumentException when {@code v} is zero or not finite: such a vector has no direction, and
     *     storing it would make every cosine with it undefined
     */
    public static float[] normalized(float[] v) {
        double n = norm(v);
        if (!(n > 0) || Double.isInfinite(n)) {
            throw new IllegalArgumentException("vector has no direction (norm " + n + ")");
        }
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (float) (v[i] / n);
        }
        return out;
    }
}
