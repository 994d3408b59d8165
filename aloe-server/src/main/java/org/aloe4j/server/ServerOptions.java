package org.aloe4j.server;

/**
 * How {@code aloe serve} listens and what it allows.
 *
 * @param host           the address to bind (127.0.0.1 unless told otherwise)
 * @param port           the TCP port; 0 picks a free one
 * @param apiKey         when set, every API request needs {@code Authorization: Bearer KEY}
 * @param corsOrigin     when set, browsers from this origin (or "*") may call the API; CORS is off otherwise
 * @param maxBodyBytes   larger request bodies get 413
 * @param maxTokensLimit the most completion tokens one request may ask for
 * @param grounding      retrieval that grounds chat answers ({@code --rag}), or null
 * @param passages       passages retrieved per question
 */
public record ServerOptions(String host, int port, String apiKey, String corsOrigin, long maxBodyBytes,
        int maxTokensLimit, Grounding grounding, int passages) {

    public ServerOptions {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535, got " + port);
        }
        if (maxBodyBytes < 1024 || maxTokensLimit < 1 || passages < 1) {
            throw new IllegalArgumentException("need maxBodyBytes >= 1024, maxTokensLimit >= 1 and passages >= 1");
        }
        if (apiKey != null && apiKey.isBlank()) {
            apiKey = null;
        }
        if (corsOrigin != null && corsOrigin.isBlank()) {
            corsOrigin = null;
        }
    }

    /** Loopback only, no key, 1 MiB bodies, 4096 tokens per completion, no CORS, no retrieval. */
    public static ServerOptions defaults(int port) {
        return new ServerOptions("127.0.0.1", port, null, null, 1 << 20, 4096, null, 4);
    }

    public ServerOptions withApiKey(String key) {
        return new ServerOptions(host, port, key, corsOrigin, maxBodyBytes, maxTokensLimit, grounding, passages);
    }

    public ServerOptions withCors(String origin) {
        return new ServerOptions(host, port, apiKey, origin, maxBodyBytes, maxTokensLimit, grounding, passages);
    }

    public ServerOptions withMaxBodyBytes(long bytes) {
        return new ServerOptions(host, port, apiKey, corsOrigin, bytes, maxTokensLimit, grounding, passages);
    }

    public ServerOptions withGrounding(Grounding g, int k) {
        return new ServerOptions(host, port, apiKey, corsOrigin, maxBodyBytes, maxTokensLimit, g, k);
    }
}
