package org.aloe4j.generation;

import java.util.List;

/**
 * The seam every application stands on (evaluation, Medprompt, the server's gateway mode, chat): a model that
 * answers conversations. Two implementations: the local engine, and a client for any OpenAI-compatible server.
 * Implementations are thread-safe: concurrent calls are allowed (the local engine may serialise or batch them).
 */
public interface LanguageModel extends AutoCloseable {

    /** The model's name, as shown in reports and {@code /v1/models}. */
    String name();

    /** The architecture family, which decides the model card's sampling defaults and stop tokens. */
    ModelFamily family();

    /** Answers a conversation with the model's own chat template, streaming the reply to {@code sink}. */
    GenerationResult chat(ChatRequest request, TokenSink sink);

    /** Continues a raw prompt (no chat template). {@code sampling} null means the family's defaults. */
    GenerationResult complete(String prompt, SamplingSettings sampling, List<String> stop, TokenSink sink);

    /**
     * Log-probabilities (natural log, over the full vocabulary, before any sampling rule) of each candidate string
     * being the first token of the reply to {@code request} (after its assistantPrefix). A candidate that is not a
     * single token is scored by its first token. {@link Double#NEGATIVE_INFINITY} when the backend cannot tell
     * (a remote server that did not list it among its top log-probabilities).
     */
    double[] candidateLogprobs(ChatRequest request, List<String> candidates);

    @Override
    default void close() {}
}
