package org.aloe4j.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.aloe4j.generation.AloeDefaults;
import org.aloe4j.generation.LocalModel;
import org.aloe4j.rag.docs.Retriever;
import org.aloe4j.remote.OpenAiCompatibleModel;
import org.aloe4j.remote.RetryPolicy;
import org.aloe4j.server.AloeServer;
import org.aloe4j.server.Backend;
import org.aloe4j.server.BatchingBackend;
import org.aloe4j.server.RemoteBackend;
import org.aloe4j.server.ServerOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "serve", description = {
        "Serve Aloe over the OpenAI API (/v1/chat/completions, /v1/completions, /v1/models), with /health, "
                + "/metrics and a chat page at /.",
        "--model runs the local engine with continuous batching; --backend puts the same API, defaults and notice "
                + "in front of any OpenAI-compatible server (e.g. vLLM)."})
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "PATH", description = "GGUF file or Hugging Face folder (or hub ORG/NAME[:FILE.gguf]) to run locally")
    String model;

    @Option(names = "--backend", paramLabel = "URL", description = "OpenAI-compatible server to put this API in front of")
    String backend;

    @Option(names = "--backend-key", paramLabel = "KEY", description = "API key for --backend")
    String backendKey;

    @Option(names = "--backend-model", paramLabel = "NAME", description = "model name at --backend (default: its first)")
    String backendModel;

    @Option(names = "--served-model-name", paramLabel = "NAME", description = "the id clients use (default: the model's name)")
    String servedName;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to bind (default: ${DEFAULT-VALUE}; 0.0.0.0 exposes it)")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "port (default: ${DEFAULT-VALUE}; 0 = any free)")
    int port;

    @Option(names = "--api-key", paramLabel = "KEY", defaultValue = "${env:ALOE_API_KEY}",
            description = "require Authorization: Bearer KEY (default: $ALOE_API_KEY; none when unset)")
    String apiKey;

    @Option(names = "--cors", paramLabel = "ORIGIN", description = "allow browsers from ORIGIN (or *) to call the API; off by default")
    String cors;

    @Option(names = "--parallel", defaultValue = "8", description = "sequences generated at once (default: ${DEFAULT-VALUE})")
    int parallel;

    @Option(names = "--queue", defaultValue = "64", description = "sequences that may wait for a slot; more get 429 (default: ${DEFAULT-VALUE})")
    int queue;

    @Option(names = "--max-batch-tokens", defaultValue = "512", description = "rows per forward pass (default: ${DEFAULT-VALUE})")
    int maxBatchTokens;

    @Option(names = "--ctx", description = "context length (default: min(model maximum, 4096))")
    int ctx;

    @Option(names = "--max-tokens-limit", defaultValue = "4096", description = "most completion tokens per request (default: ${DEFAULT-VALUE})")
    int maxTokensLimit;

    @Option(names = "--max-body-bytes", defaultValue = "1048576", description = "largest request body (default: ${DEFAULT-VALUE})")
    long maxBodyBytes;

    @Option(names = "--rag", paramLabel = "INDEX", description = "ground chat answers in this document index (built by aloe index) and list the sources")
    Path rag;

    @Option(names = "--rag-passages", defaultValue = "4", description = "passages retrieved per question (default: ${DEFAULT-VALUE})")
    int ragPassages;

    @Override
    public Integer call() throws Exception {
        Running running = start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            running.close();
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }

    /** A started server and what it holds open. */
    record Running(AloeServer server, RetrieverGrounding grounding) implements AutoCloseable {
        @Override
        public void close() {
            server.close();
            if (grounding != null) {
                grounding.close();
            }
        }
    }

    /** Opens the backend (and the index) and starts serving; prints where. Tests call this instead of call(). */
    Running start() {
        if ((model == null) == (backend == null)) {
            throw new ParameterException(spec.commandLine(), "give exactly one of --model PATH or --backend URL");
        }
        RetrieverGrounding grounding = rag == null ? null : new RetrieverGrounding(Retriever.open(rag), ragPassages);
        Backend b;
        AloeServer server;
        try {
            b = openBackend();
            ServerOptions options = new ServerOptions(host, port, apiKey, cors, maxBodyBytes, maxTokensLimit,
                    grounding, ragPassages);
            try {
                server = AloeServer.start(b, options);
            } catch (RuntimeException e) {
                b.close();
                throw new IllegalArgumentException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
            }
        } catch (RuntimeException e) {
            if (grounding != null) {
                grounding.close();
            }
            throw e;
        }
        var out = spec.commandLine().getOut();
        out.println("Note: " + AloeDefaults.NOTICE);
        String root = server.baseUrl().substring(0, server.baseUrl().length() - 3);
        out.printf("Serving %s at %s (chat page: %s/)%s%s%n", b.modelId(), server.baseUrl(), root,
                apiKey != null && !apiKey.isBlank() ? "; API key required" : "",
                grounding != null ? "; answers grounded in " + rag : "");
        out.flush();
        return new Running(server, grounding);
    }

    private Backend openBackend() {
        if (backend != null) {
            OpenAiCompatibleModel remote = OpenAiCompatibleModel.builder(backend)
                    .apiKey(backendKey)
                    .backendModel(backendModel)
                    .streamMode(OpenAiCompatibleModel.StreamMode.ALWAYS) // cancellation needs a stream to close
                    .requestTimeout(Duration.ofMinutes(10))
                    .retry(new RetryPolicy(2, Duration.ofMillis(500), Duration.ofSeconds(5)))
                    .build();
            return new RemoteBackend(remote, servedName, parallel, queue);
        }
        Path path = ModelFiles.resolve(model);
        LocalModel local = LocalModel.open(path, new LocalModel.Options(ctx));
        String id = servedName != null ? servedName : defaultId(local, path);
        return new BatchingBackend(local, id, new BatchingBackend.Options(parallel, queue, maxBatchTokens));
    }

    private static String defaultId(LocalModel m, Path path) {
        String name = m.name();
        if (name != null && !name.isBlank()) {
            return name;
        }
        String file = path.getFileName().toString();
        return file.endsWith(".gguf") ? file.substring(0, file.length() - 5) : file;
    }
}
