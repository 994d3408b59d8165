package org.aloe4j.cli;

import org.aloe4j.rag.embed.BgeSmallEmbedder;
import org.aloe4j.rag.embed.Embedder;
import org.aloe4j.rag.embed.Embedders;
import org.aloe4j.rag.embed.OpenAiEmbedder;
import picocli.CommandLine.Option;

/** Which embedder builds an index: the bundled bge-small (default, offline) or an OpenAI-compatible server. */
final class EmbedderOptions {

    @Option(names = "--embed-url", paramLabel = "URL",
            description = "OpenAI-compatible embeddings server (POST /v1/embeddings); default: the bundled "
                    + "bge-small-en-v1.5, run in process. The API key, if any, comes from $" + Embedders.API_KEY_ENV + ".")
    String url;

    @Option(names = "--embed-model", paramLabel = "NAME", description = "Model name to send to --embed-url.")
    String model;

    @Option(names = "--embed-query-instruction", paramLabel = "TEXT", defaultValue = "",
            description = "Prefix the remote model wants on passage-search queries (default: none).")
    String queryInstruction;

    Embedder create() {
        if (url == null) {
            if (model != null) {
                throw new IllegalArgumentException("--embed-model needs --embed-url");
            }
            return new BgeSmallEmbedder();
        }
        if (model == null) {
            throw new IllegalArgumentException("--embed-url needs --embed-model");
        }
        return new OpenAiEmbedder(url, model, System.getenv(Embedders.API_KEY_ENV), 0, queryInstruction);
    }
}
