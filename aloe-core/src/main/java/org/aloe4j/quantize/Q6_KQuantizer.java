package org.aloe4j.quantize;

import java.util.Arrays;
import org.aloe4j.formats.gguf.GGMLType;

/**
 * Q6_K (210 bytes per 256 values; ggml's {@code quantize_row_q6_K_ref}): 16 sub-blocks of 16 values, each fitted
 * symmetrically ({@link QuantMath#makeQxQuants} with weights x^2) to 6-bit levels; the 16 sub-block scales become
 * signed bytes against one fp16 {@code d}, and the levels are recomputed against the rounded scales. Layout: 128
 * bytes of low nibbles, 64 bytes of high 2-bit pairs, 16 scale bytes, fp16 d.
 */
final class Q6_KQuantizer extends BlockQuantizer {
    static final Q6_KQuantizer INSTANCE = new Q6_KQuantizer();

    private Q6_KQuantizer() {
        super(GGMLType.Q6_K);
    }

    @Override
    Object newScratch() {
        return new KQuantScratch();
    }

    @Override
    void quantizeBlock(float[] x, int xo, byte[] y, int yo, Object scratch) {
        KQuantScratch s = (KQuantScratch) scratch;
        byte[] l = s.levels;
        float maxScale = 0;
        float maxAbsScale = 0;
        for (int ib = 0; ib < 16; ib++) {
            float scale = QuantMath.makeQxQuants(16, 32, x, xo + 16 * ib, l, 16 * ib, 1);
            s.scales[ib] = scale;
            float abs = Math.abs(scale);
            if (abs > maxAbsScale) {
                maxAbsScale = abs;
                maxScale = scale;
            }
        }
        if (maxAbsScale < QuantMath.GROUP_MAX_EPS) {
            Arrays.fill(y, yo, yo + 210, (byte) 0);
            return;
        }
        float iscale = -128.f / maxScale;
        Bytes.putHalf(y, yo + 208, 1 / iscale);
        float d = Bytes.roundTripHalf(1 / iscale);
        for (int ib = 0; ib < 16; ib++) {
            int sc = Math.min(127, QuantMath.nearestInt(iscale * s.scales[ib]));
            y[yo + 192 + ib] = (byte) sc;
            float dj = d * (byte) sc;
            if (dj == 0) {
                continue; // ggml keeps the levels of the sub-block fit
            }
            for (int ii = 0; ii < 16; ii++) {
                int q = QuantMath.nearestInt(x[xo + 16 * ib + ii] / dj);
                l[16 * ib + ii] = (byte) (Math.max(-32, Math.min(31, q)) + 32);
            }
        }
        int ql = yo;
        int qh = yo + 128;
        for (int j = 0; j < 256; j += 128) {
            for (int i = 0; i < 32; i++) {
                int q1 = l[j + i] & 0xF;
                int q2 = l[j + i + 32] & 0xF;
                int q3 = l[j + i + 64] & 0xF;
                int q4 = l[j + i + 96] & 0xF;
                y[ql + i] = (byte) (q1 | (q3 << 4));
                y[ql + i + 32] = (byte) (q2 | (q4 << 4));
                y[qh + i] = (byte) ((l[j + i] >> 4) | ((l[j + i + 32] >> 4) << 2) | ((l[j + i + 64] >> 4) << 4)
                        | ((l[j + i + 96] >> 4) << 6));
            }
            ql += 64;
            qh += 32;
        }
    }
}
