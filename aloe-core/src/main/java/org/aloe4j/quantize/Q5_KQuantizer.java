package org.aloe4j.quantize;

import org.aloe4j.formats.gguf.GGMLType;

/**
 * Q5_K (176 bytes per 256 values): as Q4_K with 5-bit levels; after the 12 scale bytes come 32 bytes of fifth bits
 * (bit 2i of byte l for value 64i + l, bit 2i + 1 for value 64i + 32 + l) and 128 bytes of low nibbles.
 */
final class Q5_KQuantizer extends AsymmetricKQuantizer {
    static final Q5_KQuantizer INSTANCE = new Q5_KQuantizer();

    private Q5_KQuantizer() {
        super(GGMLType.Q5_K, 31, -0.5f, 15);
    }

    @Override
    void quantizeBlock(float[] x, int xo, byte[] y, int yo, Object scratch) {
        KQuantScratch s = (KQuantScratch) scratch;
        fit(x, xo, y, yo, s);
        byte[] l = s.levels;
        int qh = yo + 16;
        int ql = yo + 48;
        for (int j = 0; j < 32; j++) {
            y[qh + j] = 0;
        }
        int m1 = 1;
        int m2 = 2;
        for (int n = 0; n < 256; n += 64) {
            for (int j = 0; j < 32; j++) {
                int l1 = l[n + j];
                if (l1 > 15) {
                    l1 -= 16;
                    y[qh + j] |= (byte) m1;
                }
                int l2 = l[n + j + 32];
                if (l2 > 15) {
                    l2 -= 16;
                    y[qh + j] |= (byte) m2;
                }
                y[ql + j] = (byte) (l1 | (l2 << 4));
            }
            m1 <<= 2;
            m2 <<= 2;
            ql += 32;
        }
    }
}
