package org.aloe4j.tokenizer;

/** Kinds of vocabulary entries, numbered as GGUF's {@code tokenizer.ggml.token_type} (llama.cpp's llama_token_type). */
enum TokenType {
    UNDEFINED, NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE;

    static TokenType fromGGUF(int code) {
        return code >= 0 && code < values().length ? values()[code] : null;
    }

    /** Special in the sense of "not text": skipped by {@code decode(ids, true)}, recognised only with parseSpecial. */
    boolean isSpecial() {
        return this == CONTROL || this == UNKNOWN;
    }
}
