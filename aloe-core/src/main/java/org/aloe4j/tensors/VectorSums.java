package org.aloe4j.tensors;

import jdk.incubator.vector.FloatVector;

/**
 * Horizontal sums of float vectors in one fixed order. {@code reduceLanes(ADD)} may add the lanes in a different
 * order once C2 compiles the caller (a tree) than in the interpreter (lane by lane), so the same dot product could
 * change in its last bit while the JIT warms up; with activations rounded to 8 bits, such a bit can flip a rounding
 * and make logits differ between runs. Lane by lane, left to right, in every tier.
 */
public final class VectorSums {
    private VectorSums() {}

    public static float ordered(FloatVector v) {
        float s = 0;
        for (int i = 0, n = v.length(); i < n; i++) {
            s += v.lane(i);
        }
        return s;
    }

    /**
     * {@code values[offset .. offset + length)} summed left to right from 0: the same float operations as
     * {@link #ordered(FloatVector)} on a vector stored there. The batched kernels reduce through it because their
     * methods are too big for C2 to inline one more vector-typed call (whose vector argument would then be boxed).
     */
    public static float ordered(float[] values, int offset, int length) {
        float s = 0;
        for (int i = 0; i < length; i++) {
            s += values[offset + i];
        }
        return s;
    }
}
