package org.aloe4j.generation;

import java.util.List;

/**
 * The defaults every surface (chat, server, evaluation) takes: Aloe's system prompt, the notice shown to people, and
 * per-family sampling settings and stop tokens from the model cards (and the base models' generation_config.json).
 */
public final class AloeDefaults {
    private AloeDefaults() {}

    /** The system prompt of the Aloe Beta model cards, verbatim. */
    public static final String SYSTEM_PROMPT = "You are an expert medical assistant named Aloe, developed by the High "
            + "Performance Artificial Intelligence Group at Barcelona Supercomputing Center(BSC). You are to be a "
            + "helpful, respectful, and honest assistant.";

    /** Shown to people reading Aloe's answers. */
    public static final String NOTICE = "Aloe is a research model: its answers are not medical advice and are not fit "
            + "for clinical practice; a qualified healthcare professional must review them before they inform any "
            + "decision about a person's health.";

    /**
     * The model cards' settings. Qwen2.5 variants: temperature 0.7, top_p 0.8, top_k 20, repetition_penalty 1.05
     * (Qwen2.5-Instruct's generation_config.json). Llama 3.1 variants: temperature 0.6, top_p 0.9, no top_k, no
     * repetition penalty. Other models get the Llama settings, the more conservative of the two (no top_k, no
     * penalty). All: 256 new tokens at most, no fixed seed.
     */
    public static SamplingSettings sampling(ModelFamily family) {
        return switch (family) {
            case QWEN2 -> new SamplingSettings(0.7, 20, 0.8, 0, 1.05, null, 256);
            case LLAMA, OTHER -> new SamplingSettings(0.6, 0, 0.9, 0, 1.0, null, 256);
        };
    }

    /**
     * The token texts that end a reply, besides the model's own end-of-sequence token. Qwen2.5: {@code <|im_end|>}
     * (end of turn) and {@code <|endoftext|>} (the generation_config eos list [151645, 151643]). Llama 3.1:
     * {@code <|eot_id|>} (end of turn), {@code <|end_of_text|>}, and {@code <|eom_id|>}: Llama 3.1's
     * generation_config.json lists all three (eos_token_id [128001, 128008, 128009]) so HF generate stops on it; the
     * model writes it after a built-in tool call ("end of message, a tool result follows"), where a reply must stop
     * for the caller to run the tool. OTHER: none (use the tokenizer's eos). Look each text up in the vocabulary and
     * skip those it lacks (the Llama 3 tokenizer in the fixtures has no {@code <|eom_id|>}).
     */
    public static List<String> stopTokens(ModelFamily family) {
        return switch (family) {
            case QWEN2 -> List.of("<|im_end|>", "<|endoftext|>");
            case LLAMA -> List.of("<|eot_id|>", "<|end_of_text|>", "<|eom_id|>");
            case OTHER -> List.of();
        };
    }
}
