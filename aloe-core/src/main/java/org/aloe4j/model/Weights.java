package org.aloe4j.model;

import org.aloe4j.tensors.Tensor;

/**
 * The model's parameters. Matrices are {@link Tensor}s over the memory-mapped file (never copied onto the heap);
 * the small 1-D vectors (norms, biases) are read into float arrays once.
 *
 * @param output the output (lm_head) matrix; the token embedding itself when the model ties them
 */
public record Weights(Tensor tokenEmbedding, float[] outputNorm, Tensor output, Layer[] layers, AutoCloseable source)
        implements AutoCloseable {

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
