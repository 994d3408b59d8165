package org.aloe4j.rag.embed;

import java.util.Map;
import org.aloe4j.rag.RagException;

/**
 * Makes the embedder an index was built with, from what the index recorded ({@code embedder} = the embedder's
 * {@link Embedder#name()}, and for an OpenAI-compatible one {@code embedder.url}), so that queries are embedded the
 * same way as the stored items. The API key of a remote embedder comes from the environment variable
 * {@value #API_KEY_ENV}, never from the index.
 */
public final class Embedders {

    public static final String EMBEDDER_KEY = "embedder";
    public static final String URL_KEY = "embedder.url";
    public static final String DIMENSION_KEY = "embedder.dimension";
    public static final String QUERY_INSTRUCTION_KEY = "embedder.query-instruction";
    public static final String API_KEY_ENV = "ALOE_EMBED_API_KEY";

    private Embedders() {}

    /** The metadata entries that let {@link #forIndex} rebuild {@code embedder}. */
    public static Map<String, String> describe(Embedder embedder) {
        if (embedder instanceof OpenAiEmbedder remote) {
            return Map.of(EMBEDDER_KEY, remote.name(), URL_KEY, remote.endpoint().toString(),
                    DIMENSION_KEY, Integer.toString(remote.dimension()),
                    QUERY_INSTRUCTION_KEY, remote.queryInstruction());
        }
        return Map.of(EMBEDDER_KEY, embedder.name());
    }

    public static Embedder forIndex(Map<String, String> metadata) {
        String name = metadata.get(EMBEDDER_KEY);
        if (name == null) {
            throw new RagException("the index does not record which embedder built it");
        }
        if (name.equals(BgeSmallEmbedder.NAME)) {
            return new BgeSmallEmbedder();
        }
        if (name.startsWith(OpenAiEmbedder.NAME_PREFIX)) {
            String url = metadata.get(URL_KEY);
            if (url == null) {
                throw new RagException("the index was built with " + name + " but does not record its address");
            }
            return new OpenAiEmbedder(url, name.substring(OpenAiEmbedder.NAME_PREFIX.length()),
                    System.getenv(API_KEY_ENV), Integer.parseInt(metadata.getOrDefault(DIMENSION_KEY, "0")),
                    metadata.getOrDefault(QUERY_INSTRUCTION_KEY, ""));
        }
        throw new RagException("the index was built with an unknown embedder: " + name);
    }
}
