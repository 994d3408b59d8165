package org.aloe4j.generation;

/** Why a generation ended (the names match OpenAI's finish_reason values, lower-cased). */
public enum FinishReason {
    /** A stop token or stop string was produced. */
    STOP,
    /** max_new_tokens, or the context, was used up. */
    LENGTH,
    /** The caller cancelled. */
    CANCELLED;

    public String openAiName() {
        return this == CANCELLED ? "stop" : name().toLowerCase(java.util.Locale.ROOT);
    }
}
