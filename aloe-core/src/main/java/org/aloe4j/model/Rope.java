package org.aloe4j.model;

/**
 * Rotary position embedding. Each head's dimensions form pairs (which pairs: {@link RopeLayout}); pair i at
 * position p is rotated by the angle {@code p * invFreq[i]}.
 */
final class Rope {
    private final double[] invFreq;
    private final RopeLayout layout;
    private final int headDim;

    Rope(ModelConfig c) {
        invFreq = c.ropeInverseFrequencies();
        layout = c.ropeLayout();
        headDim = c.headDim();
    }

    /** Fills cos/sin (headDim/2 each) for a position; angles in double, as the float64 reference does. */
    void angles(int pos, float[] cos, float[] sin) {
        for (int i = 0; i < invFreq.length; i++) {
            double a = pos * invFreq[i];
            cos[i] = (float) Math.cos(a);
            sin[i] = (float) Math.sin(a);
        }
    }

    /** Rotates {@code heads} consecutive heads of {@code v} starting at {@code off}. */
    void rotate(float[] v, int off, int heads, float[] cos, float[] sin) {
        int half = headDim / 2;
        for (int h = 0; h < heads; h++) {
            int base = off + h * headDim;
            if (layout == RopeLayout.NEOX) {
                for (int i = 0; i < half; i++) {
                    float a = v[base + i];
                    float b = v[base + i + half];
                    v[base + i] = a * cos[i] - b * sin[i];
                    v[base + i + half] = a * sin[i] + b * cos[i];
                }
            } else {
                for (int i = 0; i < half; i++) {
                    float a = v[base + 2 * i];
                    float b = v[base + 2 * i + 1];
                    v[base + 2 * i] = a * cos[i] - b * sin[i];
                    v[base + 2 * i + 1] = a * sin[i] + b * cos[i];
                }
            }
        }
    }
}
