package org.aloe4j.model;

/** The transformer families aloe4j runs. They differ only in configuration flags, not in code. */
public enum Architecture {
    /** Qwen2 / Qwen2.5 (Qwen2.5-Aloe-Beta-7B, -72B): q/k/v biases, NEOX RoPE, rope theta 1e6. */
    QWEN2,
    /** Llama 3 / 3.1 (Llama3.1-Aloe-Beta-8B, -70B): no biases, llama3 rope scaling. */
    LLAMA;

    /** Maps GGUF {@code general.architecture} or HF {@code model_type}; null when not supported. */
    public static Architecture fromName(String name) {
        if (name == null) {
            return null;
        }
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "qwen2" -> QWEN2;
            case "llama" -> LLAMA;
            default -> null;
        };
    }
}
