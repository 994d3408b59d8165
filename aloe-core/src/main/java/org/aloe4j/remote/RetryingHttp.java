package org.aloe4j.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Sends JSON to an OpenAI-compatible server with an API key, a per-request timeout and retries (see
 * {@link RetryPolicy}). Returns only successful (2xx) responses; everything else becomes a
 * {@link RemoteModelException} naming the URL, the status and the server's error text.
 */
final class RetryingHttp {

    private static final int ERROR_EXCERPT = 500;

    private final HttpClient client;
    private final ObjectMapper json;
    private final String apiKey;
    private final Duration requestTimeout;
    private final RetryPolicy retry;

    RetryingHttp(HttpClient client, ObjectMapper json, String apiKey, Duration requestTimeout, RetryPolicy retry) {
        this.client = client;
        this.json = json;
        this.apiKey = apiKey;
        this.requestTimeout = requestTimeout;
        this.retry = retry;
    }

    /** POSTs {@code body}; the caller reads (and closes) the response stream. */
    HttpResponse<InputStream> post(URI uri, JsonNode body, boolean eventStream) {
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new RemoteModelException("POST", uri, -1, "cannot encode the request: " + e.getMessage(), e);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .header("Accept", eventStream ? "text/event-stream" : "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
        return send("POST", uri, b);
    }

    /** GETs a JSON document. */
    JsonNode getJson(URI uri) {
        HttpResponse<InputStream> r = send("GET", uri, HttpRequest.newBuilder(uri).timeout(requestTimeout).GET());
        return readJson("GET", uri, r);
    }

    /** Parses a whole JSON response body (and closes it). */
    JsonNode readJson(String method, URI uri, HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            return json.readTree(in);
        } catch (IOException e) {
            throw new RemoteModelException(method, uri, response.statusCode(),
                    "unreadable JSON response: " + e.getMessage(), e);
        }
    }

    private HttpResponse<InputStream> send(String method, URI uri, HttpRequest.Builder builder) {
        if (apiKey != null && !apiKey.isEmpty()) {
            builder.header("Authorization", "Bearer " + apiKey);
        }
        HttpRequest request = builder.build();
        for (int attempt = 0; ; attempt++) {
            boolean last = attempt >= retry.maxRetries();
            HttpResponse<InputStream> response;
            try {
                response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                if (last) {
                    throw new RemoteModelException(method, uri, -1, describe(e) + attempts(attempt), e);
                }
                sleep(method, uri, retry.backoff(attempt, null));
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RemoteModelException(method, uri, -1, "interrupted", e);
            }
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                return response;
            }
            String body = drain(response);
            if (!RetryPolicy.retryableStatus(status) || last) {
                throw new RemoteModelException(method, uri, status, errorText(body) + attempts(attempt));
            }
            sleep(method, uri, retry.backoff(attempt, response.headers().firstValue("Retry-After").orElse(null)));
        }
    }

    private static String attempts(int attempt) {
        return attempt == 0 ? "" : " (after " + (attempt + 1) + " attempts)";
    }

    private static String describe(IOException e) {
        String kind = e.getClass().getSimpleName();
        return e.getMessage() == null ? kind : kind + ": " + e.getMessage();
    }

    private static void sleep(String method, URI uri, Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RemoteModelException(method, uri, -1, "interrupted while waiting to retry", e);
        }
    }

    private static String drain(HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            byte[] b = in.readNBytes(64 * 1024);
            return new String(b, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** The server's error message: OpenAI's {"error": {"message": ...}} when present, else the body's start. */
    private String errorText(String body) {
        String text = body.strip();
        try {
            JsonNode n = json.readTree(text);
            if (n != null) {
                JsonNode err = n.get("error");
                if (err != null && err.isObject() && err.hasNonNull("message")) {
                    text = err.get("message").asText();
                } else if (err != null && err.isTextual()) {
                    text = err.asText();
                } else if (n.hasNonNull("message")) {
                    text = n.get("message").asText();
                }
            }
        } catch (IOException ignored) {
            // not JSON: keep the raw text
        }
        text = text.replaceAll("\\s+", " ");
        if (text.isEmpty()) {
            return "(empty response body)";
        }
        return text.length() > ERROR_EXCERPT ? text.substring(0, ERROR_EXCERPT) + "..." : text;
    }
}
