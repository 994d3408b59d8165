package org.aloe4j.model;

/**
 * Which pairs of a head's dimensions RoPE rotates together.
 * <ul>
 *   <li>{@link #NEOX}: (i, i + d/2), Hugging Face's {@code rotate_half}; Qwen2 everywhere, and Llama weights as
 *       Hugging Face stores them.</li>
 *   <li>{@link #INTERLEAVED}: (2i, 2i + 1); Llama in GGUF files, whose q/k rows llama.cpp's converter permuted
 *       so that this layout gives the same result.</li>
 * </ul>
 */
public enum RopeLayout { NEOX, INTERLEAVED }
