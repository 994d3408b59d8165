package org.aloe4j.model;

import org.aloe4j.tensors.ActivationFormat;
import org.aloe4j.tensors.Tensor;

/**
 * The model's parameters. Matrices are {@link Tensor}s over the memory-mapped file (never copied onto the heap);
 * the small 1-D vectors (norms, biases) are read into float arrays once.
 *
 * @param output the output (lm_head) matrix; the token embedding itself when the model ties them
 * @param llamaCppActivations whether activations are rounded as llama.cpp does for each weight type before the
 *     matrix products ({@link ActivationFormat#llamaCpp}): true for GGUF files, whose reference is llama.cpp;
 *     false keeps float activations (Hugging Face directories, whose reference computes in float)
 */
public record Weights(Tensor tokenEmbedding, float[] outputNorm, Tensor output, Layer[] layers, AutoCloseable source,
                      boolean llamaCppActivations) implements AutoCloseable {

    /** Weights with float activations. */
    public Weights(Tensor tokenEmbedding, float[] outputNorm, Tensor output, Layer[] layers, AutoCloseable source) {
        this(tokenEmbedding, outputNorm, output, layers, source, false);
    }

    /**
     * System property {@value}: {@code float} keeps float activations even for GGUF files (slightly more accurate
     * than llama.cpp's 8-bit activations, and no longer its exact results).
     */
    public static final String ACTIVATIONS_PROPERTY = "aloe.activations";

    private static final boolean FORCE_FLOAT = "float".equals(System.getProperty(ACTIVATIONS_PROPERTY));

    /** The activation format for products with {@code t}. */
    public ActivationFormat activationFormat(Tensor t) {
        return llamaCppActivations && !FORCE_FLOAT ? ActivationFormat.llamaCpp(t.type()) : ActivationFormat.F32;
    }

    /** One transformer block. Biases are null when the model has none (Llama). */
    public record Layer(float[] attnNorm, Tensor wq, Tensor wk, Tensor wv, float[] bq, float[] bk, float[] bv,
                        Tensor wo, float[] ffnNorm, Tensor wGate, Tensor wUp, Tensor wDown) {}

    /** Releases the file mapping. The tensors must not be used afterwards. */
    @Override
    public void close() throws Exception {
        if (source != null) {
            source.close();
        }
    }
}
