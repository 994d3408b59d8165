package org.aloe4j.medprompt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.aloe4j.rag.RagException;
import org.aloe4j.rag.medprompt.Example;
import org.aloe4j.rag.medprompt.Reranker;

/**
 * A cross-encoder served over HTTP with the rerank API that vLLM, Jina and Cohere-compatible servers share:
 * {@code POST /v1/rerank {"model", "query", "documents": [...]}} answered by
 * {@code {"results": [{"index", "relevance_score"}, ...]}}. As in prompt_engine, the query is the question text
 * and each document is a candidate example's question with its options.
 */
public final class HttpReranker implements Reranker {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI endpoint;
    private final String model;
    private final String apiKey;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /**
     * @param baseUrl {@code http://host:port}, {@code .../v1} or the full {@code .../rerank} address
     * @param model the reranker model name the server expects
     * @param apiKey bearer token, or null
     */
    public HttpReranker(String baseUrl, String model, String apiKey) {
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("a reranker model name is required");
        }
        String u = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        if (!u.endsWith("/rerank")) {
            u = u.endsWith("/v1") ? u + "/rerank" : u + "/v1/rerank";
        }
        try {
            this.endpoint = URI.create(u);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a URL: " + baseUrl);
        }
        this.model = model;
        this.apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
    }

    public URI endpoint() {
        return endpoint;
    }

    @Override
    public double[] score(String question, List<Example> candidates) {
        if (candidates.isEmpty()) {
            return new double[0];
        }
        ObjectNode body = JSON.createObjectNode().put("model", model).put("query", question);
        var docs = body.putArray("documents");
        candidates.forEach(e -> docs.add(MedpromptPrompt.describe(e)));
        HttpRequest.Builder req = HttpRequest.newBuilder(endpoint).timeout(Duration.ofMinutes(2))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (apiKey != null) {
            req.header("Authorization", "Bearer " + apiKey);
        }
        HttpResponse<String> resp;
        try {
            resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new RagException("reranker " + endpoint + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RagException("reranker " + endpoint + ": interrupted");
        }
        if (resp.statusCode() != 200) {
            String text = resp.body() == null ? "" : resp.body().strip();
            throw new RagException("reranker " + endpoint + ": HTTP " + resp.statusCode() + ": "
                    + text.substring(0, Math.min(200, text.length())));
        }
        return parse(resp.body(), candidates.size());
    }

    static double[] parse(String body, int n) {
        double[] scores = new double[n];
        Arrays.fill(scores, Double.NaN);
        try {
            JsonNode results = JSON.readTree(body).path("results");
            for (JsonNode r : results) {
                int i = r.path("index").asInt(-1);
                JsonNode s = r.has("relevance_score") ? r.get("relevance_score") : r.get("score");
                if (i < 0 || i >= n || s == null || !s.isNumber()) {
                    throw new RagException("reranker answer has a bad result: " + r);
                }
                scores[i] = s.asDouble();
            }
        } catch (IOException e) {
            throw new RagException("reranker answer is not JSON: " + e.getMessage());
        }
        for (int i = 0; i < n; i++) {
            if (Double.isNaN(scores[i])) {
                throw new RagException("reranker gave no score for candidate " + i + " of " + n);
            }
        }
        return scores;
    }
}
