package org.aloe4j.server;

import org.aloe4j.generation.ModelFamily;

/**
 * What the server puts its API in front of: the local engine with continuous batching ({@link BatchingBackend}) or
 * any OpenAI-compatible server ({@link RemoteBackend}). Both queue and bound work the same way, so the HTTP layer
 * does not know which one it talks to.
 */
public interface Backend extends AutoCloseable {

    /** The model id listed by {@code /v1/models} and expected in requests' {@code model} field. */
    String modelId();

    /** The family whose model-card defaults (sampling, stop tokens) apply. */
    ModelFamily family();

    /** Tokens per sequence (prompt + reply), or 0 when the backend does not say. */
    int contextLength();

    /** Whether per-token log-probabilities, OpenAI penalties and logit_bias can be honoured. */
    boolean supportsLogitControls();

    /**
     * Validates and queues a job. Request errors (prompt too long for the context, unsupported parameter) and a full
     * queue are thrown as {@link ApiException} before anything is generated, so the caller can still answer with an
     * error status.
     */
    Submission submit(GenerationJob job, GenerationListener listener);

    /** Load figures for {@code /metrics} and {@code /health}. */
    BackendStats stats();

    @Override
    void close();
}
