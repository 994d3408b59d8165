package org.aloe4j.generation;

import java.util.Locale;

/** The model families whose defaults differ (sampling settings, stop tokens): see {@link AloeDefaults}. */
public enum ModelFamily {
    /** Qwen2 / Qwen2.5, e.g. Qwen2.5-Aloe-Beta-7B and 72B. */
    QWEN2,
    /** Llama 3 / 3.1, e.g. Llama3.1-Aloe-Beta-8B and 70B. */
    LLAMA,
    /** Anything else: Llama-like sampling, the model's own end-of-sequence token. */
    OTHER;

    /**
     * The family of an architecture name as GGUF ({@code general.architecture}: "qwen2", "llama") or Hugging Face
     * ({@code model_type} "qwen2", "llama"; {@code architectures} "Qwen2ForCausalLM", "LlamaForCausalLM") write it.
     */
    public static ModelFamily fromArchitecture(String architecture) {
        if (architecture == null) {
            return OTHER;
        }
        String a = architecture.toLowerCase(Locale.ROOT);
        if (a.equals("qwen2") || a.startsWith("qwen2for")) {
            return QWEN2;
        }
        if (a.equals("llama") || a.startsWith("llamafor")) {
            return LLAMA;
        }
        return OTHER;
    }
}
