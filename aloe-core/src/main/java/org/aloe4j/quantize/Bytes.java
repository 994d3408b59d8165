package org.aloe4j.quantize;

/** Little-endian stores into byte arrays, as ggml's block structs lay out on x86. */
final class Bytes {
    private Bytes() {}

    static void putShort(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
    }

    static void putInt(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    static void putFloat(byte[] b, int off, float v) {
        putInt(b, off, Float.floatToRawIntBits(v));
    }

    /** The fp16 bits of {@code v}, rounded to nearest even (ggml's GGML_FP32_TO_FP16, F16C or software). */
    static void putHalf(byte[] b, int off, float v) {
        putShort(b, off, Float.floatToFloat16(v));
    }

    /** The value an fp16 field holds after {@link #putHalf} (ggml reads scales back through this rounding). */
    static float roundTripHalf(float v) {
        return Float.float16ToFloat(Float.floatToFloat16(v));
    }
}
