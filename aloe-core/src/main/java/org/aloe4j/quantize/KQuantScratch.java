package org.aloe4j.quantize;

/** Work arrays of the K-quant quantizers, made once per {@link Quantizer#quantize} call. */
final class KQuantScratch {
    final byte[] levels = new byte[256];
    final byte[] aux = new byte[32];
    final float[] weights = new float[32];
    final float[] scales = new float[16];
    final float[] mins = new float[16];
    final int[] ls = new int[8];
    final int[] lm = new int[8];
}
