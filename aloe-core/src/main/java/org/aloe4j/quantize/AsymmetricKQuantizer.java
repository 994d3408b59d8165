package org.aloe4j.quantize;

import org.aloe4j.formats.gguf.GGMLType;

/**
 * The common part of Q4_K and Q5_K (ggml's {@code quantize_row_q4_K_ref} / {@code quantize_row_q5_K_ref}): a
 * super-block of 256 values in 8 sub-blocks of 32, each fitted as {@code x ~ d * sc * q - dmin * m} with 6-bit
 * {@code sc, m} and fp16 super-block {@code d, dmin}. Per sub-block, {@link QuantMath#makeQkx2Quants} searches the
 * scale and offset with weights {@code rms(x) + |x|}; the scales are then quantized to 6 bits and the levels
 * recomputed against the rounded scales.
 */
abstract class AsymmetricKQuantizer extends BlockQuantizer {
    private final int nmax;
    private final float rmin;
    private final int nstep;

    AsymmetricKQuantizer(GGMLType type, int nmax, float rmin, int nstep) {
        super(type);
        this.nmax = nmax;
        this.rmin = rmin;
        this.nstep = nstep;
    }

    @Override
    final Object newScratch() {
        return new KQuantScratch();
    }

    /**
     * Fits the block at {@code x[xo..xo+256)}: writes d, dmin (fp16) and the 12 scale bytes at {@code y[yo..]} and
     * leaves the 256 levels (0..nmax) in {@code s.levels}.
     */
    final void fit(float[] x, int xo, byte[] y, int yo, KQuantScratch s) {
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < 8; j++) {
            int o = xo + 32 * j;
            float sumX2 = 0;
            for (int l = 0; l < 32; l++) {
                sumX2 += x[o + l] * x[o + l];
            }
            float avX = (float) Math.sqrt(sumX2 / 32);
            for (int l = 0; l < 32; l++) {
                s.weights[l] = avX + Math.abs(x[o + l]);
            }
            s.scales[j] = QuantMath.makeQkx2Quants(32, nmax, x, o, s.weights, s.levels, 32 * j, s.mins, j, s.aux,
                    rmin, 0.1f, nstep, false);
            if (s.scales[j] > maxScale) {
                maxScale = s.scales[j];
            }
            if (s.mins[j] > maxMin) {
                maxMin = s.mins[j];
            }
        }
        float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
        float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
        for (int j = 0; j < 8; j++) {
            // ggml stores nearest_int in a uint8_t before clamping: keep that wrap-around
            s.ls[j] = Math.min(63, QuantMath.nearestInt(invScale * s.scales[j]) & 0xFF);
            s.lm[j] = Math.min(63, QuantMath.nearestInt(invMin * s.mins[j]) & 0xFF);
        }
        QuantMath.packScalesMins(s.ls, s.lm, y, yo + 4);
        float d = Bytes.roundTripHalf(maxScale / 63.f);
        float dmin = Bytes.roundTripHalf(maxMin / 63.f);
        Bytes.putHalf(y, yo, maxScale / 63.f);
        Bytes.putHalf(y, yo + 2, maxMin / 63.f);
        for (int j = 0; j < 8; j++) {
            float dj = d * s.ls[j];
            if (dj == 0) {
                continue; // ggml keeps the levels of the sub-block fit
            }
            float dm = dmin * s.lm[j];
            int o = xo + 32 * j;
            for (int ii = 0; ii < 32; ii++) {
                int l = QuantMath.nearestInt((x[o + ii] + dm) / dj);
                s.levels[32 * j + ii] = (byte) Math.max(0, Math.min(nmax, l));
            }
        }
    }
}
