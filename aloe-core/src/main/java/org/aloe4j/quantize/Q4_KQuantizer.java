package org.aloe4j.quantize;

import org.aloe4j.formats.gguf.GGMLType;

/**
 * Q4_K (144 bytes per 256 values): fp16 d, fp16 dmin, 12 bytes of packed 6-bit scales and mins, then 128 bytes of
 * 4-bit levels, values {@code 64i + l} and {@code 64i + 32 + l} sharing byte {@code 32i + l} (low, high nibble).
 */
final class Q4_KQuantizer extends AsymmetricKQuantizer {
    static final Q4_KQuantizer INSTANCE = new Q4_KQuantizer();

    private Q4_KQuantizer() {
        super(GGMLType.Q4_K, 15, -1.f, 20);
    }

    @Override
    void quantizeBlock(float[] x, int xo, byte[] y, int yo, Object scratch) {
        KQuantScratch s = (KQuantScratch) scratch;
        fit(x, xo, y, yo, s);
        byte[] l = s.levels;
        int q = yo + 16;
        for (int j = 0; j < 256; j += 64) {
            for (int i = 0; i < 32; i++) {
                y[q + i] = (byte) (l[j + i] | (l[j + i + 32] << 4));
            }
            q += 32;
        }
    }
}
