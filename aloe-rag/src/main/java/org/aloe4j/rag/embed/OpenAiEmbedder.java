package org.aloe4j.rag.embed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.aloe4j.rag.RagException;

/**
 * Embeddings from any server that speaks OpenAI's {@code POST /v1/embeddings} (vLLM, llama.cpp's server, text
 * embeddings inference, OpenAI itself): request {@code {"model", "input": [texts]}}, response
 * {@code {"data": [{"index", "embedding": [floats]}]}}. Vectors are put back in input order by {@code index} and
 * normalized to unit length.
 */
public final class OpenAiEmbedder implements Embedder {

    /** Prefix of {@link #name()}: "openai:" followed by the model name. */
    public static final String NAME_PREFIX = "openai:";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI endpoint;
    private final String model;
    private final String apiKey;
    private final int batchSize;
    private final Duration timeout;
    private final String queryInstruction;
    private final HttpClient http;
    private volatile int dimension;

    /**
     * @param baseUrl the server, as {@code http://host:port}, {@code http://host:port/v1} or the full
     *     {@code .../embeddings} address
     * @param model the model name the server expects
     * @param apiKey sent as a bearer token; null or blank for none
     * @param dimension the vector length if known, else 0 (then one probe request finds it)
     * @param queryInstruction the prefix for passage-search queries ("" for none; see {@link Embedder#queryInstruction()})
     */
    public OpenAiEmbedder(String baseUrl, String model, String apiKey, int dimension, String queryInstruction) {
        this(baseUrl, model, apiKey, dimension, queryInstruction, 64, Duration.ofMinutes(2));
    }

    public OpenAiEmbedder(String baseUrl, String model, String apiKey, int dimension, String queryInstruction,
            int batchSize, Duration timeout) {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("an embedding model name is required");
        }
        this.endpoint = endpoint(baseUrl);
        this.model = model;
        this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
        this.dimension = dimension;
        this.queryInstruction = queryInstruction == null ? "" : queryInstruction;
        this.batchSize = batchSize;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    static URI endpoint(String baseUrl) {
        String url = baseUrl.strip();
        while (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        if (!url.endsWith("/embeddings")) {
            url = url.endsWith("/v1") ? url + "/embeddings" : url + "/v1/embeddings";
        }
        try {
            URI uri = URI.create(url);
            if (uri.getScheme() == null || !uri.getScheme().startsWith("http") || uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new RagException("not an http(s) address for an embedding server: " + baseUrl);
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    @Override
    public float[][] embed(List<String> texts) {
        if (texts.isEmpty()) {
            return new float[0][];
        }
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        ArrayNode input = body.putArray("input");
        for (int i = 0; i < texts.size(); i++) {
            input.add(Embedder.requireText(texts, i));
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new RagException("embedding server " + endpoint + " unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RagException("interrupted while waiting for embedding server " + endpoint, e);
        }
        if (response.statusCode() / 100 != 2) {
            throw new RagException("embedding server " + endpoint + " answered HTTP " + response.statusCode() + ": "
                    + abbreviate(response.body()));
        }
        return parse(response.body(), texts.size());
    }

    private float[][] parse(String body, int expected) {
        JsonNode data;
        try {
            data = JSON.readTree(body).path("data");
        } catch (IOException e) {
            throw new RagException("embedding server " + endpoint + " sent invalid JSON: " + abbreviate(body));
        }
        if (!data.isArray() || data.size() != expected) {
            throw new RagException("embedding server " + endpoint + " sent " + (data.isArray() ? data.size() : 0)
                    + " embeddings for " + expected + " texts");
        }
        float[][] out = new float[expected][];
        for (int i = 0; i < expected; i++) {
            JsonNode item = data.get(i);
            int index = item.path("index").asInt(i);
            JsonNode values = item.path("embedding");
            if (index < 0 || index >= expected || out[index] != null || !values.isArray() || values.isEmpty()) {
                throw new RagException("embedding server " + endpoint + " sent a malformed embedding at position " + i);
            }
            float[] v = new float[values.size()];
            for (int j = 0; j < v.length; j++) {
                v[j] = (float) values.get(j).asDouble();
            }
            int known = dimension;
            if (known == 0) {
                dimension = known = v.length;
            }
            if (v.length != known) {
                throw new RagException("embedding server " + endpoint + " sent a vector of " + v.length
                        + " values, expected " + known);
            }
            out[index] = Vectors.normalized(v);
        }
        return out;
    }

    private static String abbreviate(String s) {
        String oneLine = s.replaceAll("\\s+", " ").strip();
        return oneLine.length() > 200 ? oneLine.substring(0, 200) + "..." : oneLine;
    }

    @Override
    public int dimension() {
        if (dimension == 0) {
            embed(List.of("dimension probe"));
        }
        return dimension;
    }

    @Override
    public String name() {
        return NAME_PREFIX + model;
    }

    @Override
    public int batchSize() {
        return batchSize;
    }

    @Override
    public String queryInstruction() {
        return queryInstruction;
    }
}
