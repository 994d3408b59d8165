package org.aloe4j.quantize;

/**
 * The scalar helpers of ggml's quantizers, written to give the same float results step by step (same operation
 * order, float precision throughout, same rounding functions), so that our blocks match llama.cpp's.
 */
final class QuantMath {
    private QuantMath() {}

    /** ggml's GROUP_MAX_EPS: below this a group counts as all zero. */
    static final float GROUP_MAX_EPS = 1e-15f;

    /**
     * ggml's {@code nearest_int}: adding 1.5 * 2^23 leaves the integer part in the low mantissa bits, rounded to
     * nearest even by the float addition. Valid for |v| <= 4194303; outside that ggml gets (and so do we) a wrapped
     * value that the callers then clamp.
     */
    static int nearestInt(float v) {
        float shifted = v + 12582912.f;
        return (Float.floatToRawIntBits(shifted) & 0x007fffff) - 0x00400000;
    }

    /** C's {@code roundf}: halves away from zero (Math.round would send -2.5 to -2). */
    static float roundf(float v) {
        double a = Math.floor(Math.abs((double) v) + 0.5);
        return (float) Math.copySign(a, v);
    }

    /**
     * ggml's {@code make_qkx2_quants}: an asymmetric quantization {@code x ~ scale * L - min} of {@code n} values to
     * {@code 0..nmax}, weighted, trying {@code nstep + 1} candidate scales around {@code nmax / (max - min)} and keeping
     * the one with the smallest weighted error (squared, or absolute with {@code useMad}).
     *
     * @param levels out: the chosen levels, at {@code levels[levelsOffset ..]}
     * @param minOut out: {@code minOut[minIndex]} = the positive offset ({@code -min})
     * @param aux scratch of at least n entries
     * @return the scale
     */
    static float makeQkx2Quants(int n, int nmax, float[] x, int xOffset, float[] weights, byte[] levels,
                                int levelsOffset, float[] minOut, int minIndex, byte[] aux, float rmin, float rdelta,
                                int nstep, boolean useMad) {
        float min = x[xOffset];
        float max = x[xOffset];
        float sumW = weights[0];
        float sumX = sumW * x[xOffset];
        for (int i = 1; i < n; i++) {
            float xi = x[xOffset + i];
            if (xi < min) {
                min = xi;
            }
            if (xi > max) {
                max = xi;
            }
            float w = weights[i];
            sumW += w;
            sumX += w * xi;
        }
        if (min > 0) {
            min = 0;
        }
        if (max == min) {
            for (int i = 0; i < n; i++) {
                levels[levelsOffset + i] = 0;
            }
            minOut[minIndex] = -min;
            return 0.f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++) {
            int l = nearestInt(iscale * (x[xOffset + i] - min));
            l = Math.max(0, Math.min(nmax, l));
            levels[levelsOffset + i] = (byte) l;
            float diff = scale * l + min - x[xOffset + i];
            diff = useMad ? Math.abs(diff) : diff * diff;
            bestError += weights[i] * diff;
        }
        if (nstep < 1) {
            minOut[minIndex] = -min;
            return scale;
        }
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0;
            float sumL2 = 0;
            float sumXL = 0;
            for (int i = 0; i < n; i++) {
                int l = nearestInt(iscale * (x[xOffset + i] - min));
                l = Math.max(0, Math.min(nmax, l));
                aux[i] = (byte) l;
                float w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXL += w * l * x[xOffset + i];
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXL - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float curError = 0;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * (aux[i] & 0xFF) + thisMin - x[xOffset + i];
                    diff = useMad ? Math.abs(diff) : diff * diff;
                    curError += weights[i] * diff;
                }
                if (curError < bestError) {
                    System.arraycopy(aux, 0, levels, levelsOffset, n);
                    bestError = curError;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        minOut[minIndex] = -min;
        return scale;
    }

    /**
     * The value of largest magnitude among {@code x[offset .. offset + n)}, with its sign (the first one on ties; 0
     * for an all-zero group): ggml's {@code max} next to {@code amax} in its reference quantizers.
     */
    static float maxByMagnitude(float[] x, int offset, int n) {
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; i++) {
            float v = x[offset + i];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        return max;
    }

    /**
     * ggml's {@code make_qx_quants} without importance weights: a symmetric quantization {@code x ~ scale * (L - nmax)}
     * to levels {@code 0 .. 2 nmax - 1}, searching 18 scales around {@code -nmax / max} (max = the value of largest
     * magnitude, sign kept) for the best weighted least-squares fit.
     *
     * @param rmseType the weighting of ggml: 0 = plain rounding, no search; 1 = x^2; 2 = 1; 3 = |x|; 4 = sqrt|x|;
     *     negative = one refinement step only
     * @param levels out: levels at {@code levels[levelsOffset ..]}
     * @return the scale (0 for an all-zero group)
     */
    static float makeQxQuants(int n, int nmax, float[] x, int xOffset, byte[] levels, int levelsOffset, int rmseType) {
        float max = maxByMagnitude(x, xOffset, n);
        if (Math.abs(max) < GROUP_MAX_EPS) {
            for (int i = 0; i < n; i++) {
                levels[levelsOffset + i] = 0;
            }
            return 0.f;
        }
        float iscale = -nmax / max;
        if (rmseType == 0) {
            for (int i = 0; i < n; i++) {
                int l = nearestInt(iscale * x[xOffset + i]);
                levels[levelsOffset + i] = (byte) (nmax + Math.max(-nmax, Math.min(nmax - 1, l)));
            }
            return 1 / iscale;
        }
        boolean returnEarly = false;
        if (rmseType < 0) {
            rmseType = -rmseType;
            returnEarly = true;
        }
        float sumLX = 0;
        float sumL2 = 0;
        for (int i = 0; i < n; i++) {
            float xi = x[xOffset + i];
            int l = nearestInt(iscale * xi);
            l = Math.max(-nmax, Math.min(nmax - 1, l));
            levels[levelsOffset + i] = (byte) (l + nmax);
            float w = weight(rmseType, xi);
            sumLX += w * xi * l;
            sumL2 += w * l * l;
        }
        float scale = sumL2 != 0 ? sumLX / sumL2 : 0.0f;
        if (returnEarly) {
            return sumL2 > 0 ? 0.5f * (scale + 1 / iscale) : 1 / iscale;
        }
        float best = scale * sumLX;
        for (int is = -9; is <= 9; is++) {
            if (is == 0) {
                continue;
            }
            iscale = -(nmax + 0.1f * is) / max;
            sumLX = 0;
            sumL2 = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[xOffset + i];
                int l = nearestInt(iscale * xi);
                l = Math.max(-nmax, Math.min(nmax - 1, l));
                float w = weight(rmseType, xi);
                sumLX += w * xi * l;
                sumL2 += w * l * l;
            }
            if (sumL2 > 0 && sumLX * sumLX > best * sumL2) {
                for (int i = 0; i < n; i++) {
                    int l = nearestInt(iscale * x[xOffset + i]);
                    levels[levelsOffset + i] = (byte) (nmax + Math.max(-nmax, Math.min(nmax - 1, l)));
                }
                scale = sumLX / sumL2;
                best = scale * sumLX;
            }
        }
        return scale;
    }

    private static float weight(int rmseType, float x) {
        return switch (rmseType) {
            case 1 -> x * x;
            case 2 -> 1;
            case 3 -> Math.abs(x);
            default -> (float) Math.sqrt(Math.abs(x));
        };
    }

    /**
     * Packs the eight 6-bit scales and mins of a Q4_K / Q5_K block into its 12 bytes at {@code y[off]} (the inverse
     * of ggml's {@code get_scale_min_k4}).
     */
    static void packScalesMins(int[] ls, int[] lm, byte[] y, int off) {
        for (int j = 0; j < 12; j++) {
            y[off + j] = 0;
        }
        for (int j = 0; j < 8; j++) {
            if (j < 4) {
                y[off + j] = (byte) ls[j];
                y[off + j + 4] = (byte) lm[j];
            } else {
                y[off + j + 4] = (byte) ((ls[j] & 0xF) | ((lm[j] & 0xF) << 4));
                y[off + j - 4] |= (byte) ((ls[j] >> 4) << 6);
                y[off + j] |= (byte) ((lm[j] >> 4) << 6);
            }
        }
    }

    /** ggml's {@code get_scale_min_k4} on a packed array: {scale, min} of sub-block j. */
    static int scaleK4(byte[] y, int off, int j) {
        if (j < 4) {
            return y[off + j] & 63;
        }
        return ((y[off + j + 4] & 0xFF) & 0xF) | (((y[off + j - 4] & 0xFF) >> 6) << 4);
    }

    static int minK4(byte[] y, int off, int j) {
        if (j < 4) {
            return y[off + j + 4] & 63;
        }
        return ((y[off + j + 4] & 0xFF) >> 4) | (((y[off + j] & 0xFF) >> 6) << 4);
    }
}
