package org.aloe4j.cli;

import java.nio.file.Path;
import java.time.Duration;
import org.aloe4j.generation.LanguageModel;
import org.aloe4j.remote.OpenAiCompatibleModel;
import org.aloe4j.remote.RetryPolicy;
import picocli.CommandLine.Option;

/** Where the model comes from: {@code --model PATH} (local engine) or {@code --backend URL} (OpenAI-compatible). */
public final class BackendOptions {

    @Option(names = "--model", paramLabel = "PATH", description = "GGUF file or Hugging Face folder, run locally")
    Path model;

    @Option(names = "--backend", paramLabel = "URL",
            description = "OpenAI-compatible server (vLLM, llama.cpp server, aloe serve), e.g. http://host:8000")
    String backend;

    @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:ALOE_API_KEY}",
            description = "API key for --backend (default: $ALOE_API_KEY)")
    String apiKey;

    @Option(names = "--backend-model", paramLabel = "NAME",
            description = "the model name the server expects (default: the first of its /v1/models)")
    String backendModel;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "600",
            description = "seconds a request may take to start answering (default: ${DEFAULT-VALUE})")
    long timeoutSeconds;

    @Option(names = "--retries", paramLabel = "N", defaultValue = "5",
            description = "retries on HTTP 429/5xx and connection failures, with backoff (default: ${DEFAULT-VALUE})")
    int retries;

    boolean given() {
        return model != null || backend != null;
    }

    LanguageModel open(ModelOpener opener) throws Exception {
        if ((model == null) == (backend == null)) {
            throw new IllegalArgumentException("give exactly one of --model PATH or --backend URL");
        }
        if (model != null) {
            return opener.open(model);
        }
        return OpenAiCompatibleModel.builder(backend)
                .apiKey(apiKey)
                .backendModel(backendModel)
                .requestTimeout(Duration.ofSeconds(timeoutSeconds))
                .retry(new RetryPolicy(retries, Duration.ofMillis(500), Duration.ofSeconds(30)))
                .build();
    }
}
