package org.aloe4j.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * A small real HTTP server on 127.0.0.1 that answers like an OpenAI-compatible server (JSON, or SSE when the request
 * says {@code stream: true}), with replies chosen by the test's deterministic {@code responder}. Every request is
 * recorded, so tests can assert what the client sent (temperature, max_tokens, headers...).
 */
public final class ScriptedOpenAiServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One request as the server saw it. */
    public record Call(String method, String path, JsonNode body, Map<String, List<String>> headers) {
        public double temperature() {
            return body.path("temperature").asDouble(Double.NaN);
        }

        public int maxTokens() {
            return body.path("max_tokens").asInt(-1);
        }

        public boolean stream() {
            return body.path("stream").asBoolean(false);
        }

        /** The content of the last user message (chat) or the prompt (completions). */
        public String lastUser() {
            if (body.has("prompt")) {
                return body.get("prompt").asText();
            }
            String last = null;
            for (JsonNode m : body.path("messages")) {
                if (m.path("role").asText().equals("user")) {
                    last = m.path("content").asText();
                }
            }
            return last;
        }

        public String header(String name) {
            for (var e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().getFirst();
                }
            }
            return null;
        }
    }

    /** What the server answers. */
    public sealed interface Reply permits Text, Failure, Logprobs {}

    public record Text(String content, String finishReason, int promptTokens, int completionTokens) implements Reply {}

    public record Failure(int status, String message, String retryAfter) implements Reply {}

    /** The top log-probabilities of the first generated position, in the order given. */
    public record Logprobs(List<Map.Entry<String, Double>> top) implements Reply {}

    public static Reply text(String content) {
        return new Text(content, "stop", 7, Math.max(1, content.length() / 4));
    }

    public static Reply text(String content, String finishReason, int promptTokens, int completionTokens) {
        return new Text(content, finishReason, promptTokens, completionTokens);
    }

    public static Reply failure(int status, String message) {
        return new Failure(status, message, null);
    }

    public static Reply failure(int status, String message, String retryAfter) {
        return new Failure(status, message, retryAfter);
    }

    public static Reply logprobs(Map<String, Double> top) {
        return new Logprobs(List.copyOf(new LinkedHashMap<>(top).entrySet()));
    }

    /** Entries may repeat a text (two vocabulary tokens that decode the same). */
    public static Reply logprobs(List<Map.Entry<String, Double>> top) {
        return new Logprobs(List.copyOf(top));
    }

    private final HttpServer server;
    private final Function<Call, Reply> responder;
    private final List<Call> calls = Collections.synchronizedList(new ArrayList<>());
    private volatile List<String> models = List.of("scripted-model");

    public ScriptedOpenAiServer(Function<Call, Reply> responder) throws IOException {
        this.responder = responder;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.start();
    }

    /** The base URL, e.g. {@code http://127.0.0.1:40123}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Call> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    public void setModels(List<String> ids) {
        this.models = List.copyOf(ids);
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            byte[] in = ex.getRequestBody().readAllBytes();
            JsonNode body = in.length == 0 ? JSON.createObjectNode() : JSON.readTree(in);
            Call call = new Call(ex.getRequestMethod(), path, body, Map.copyOf(ex.getRequestHeaders()));
            calls.add(call);
            if (path.equals("/v1/models")) {
                ObjectNode r = JSON.createObjectNode();
                ArrayNode data = r.putArray("data");
                models.forEach(id -> data.addObject().put("id", id).put("object", "model"));
                send(ex, 200, r.toString());
                return;
            }
            boolean chat = path.equals("/v1/chat/completions");
            if (!chat && !path.equals("/v1/completions")) {
                send(ex, 404, "{\"error\":{\"message\":\"no route " + path + "\"}}");
                return;
            }
            Reply reply = responder.apply(call);
            switch (reply) {
                case Failure f -> {
                    if (f.retryAfter() != null) {
                        ex.getResponseHeaders().add("Retry-After", f.retryAfter());
                    }
                    ObjectNode err = JSON.createObjectNode();
                    err.putObject("error").put("message", f.message()).put("code", f.status());
                    send(ex, f.status(), err.toString());
                }
                case Logprobs l -> send(ex, 200, logprobsResponse(l).toString());
                case Text t -> {
                    if (call.stream()) {
                        stream(ex, t, chat, body.path("stream_options").path("include_usage").asBoolean(false));
                    } else {
                        send(ex, 200, textResponse(t, chat).toString());
                    }
                }
            }
        } catch (RuntimeException e) {
            send(ex, 500, "{\"error\":{\"message\":\"scripted server: " + e + "\"}}");
        }
    }

    private static ObjectNode textResponse(Text t, boolean chat) {
        ObjectNode r = JSON.createObjectNode();
        r.put("id", "cmpl-1").put("object", chat ? "chat.completion" : "text_completion");
        ObjectNode c = r.putArray("choices").addObject();
        c.put("index", 0);
        if (chat) {
            c.putObject("message").put("role", "assistant").put("content", t.content());
        } else {
            c.put("text", t.content());
        }
        c.put("finish_reason", t.finishReason());
        r.putObject("usage").put("prompt_tokens", t.promptTokens()).put("completion_tokens", t.completionTokens())
                .put("total_tokens", t.promptTokens() + t.completionTokens());
        return r;
    }

    private static ObjectNode logprobsResponse(Logprobs l) {
        ObjectNode r = JSON.createObjectNode();
        ObjectNode c = r.putArray("choices").addObject();
        var best = l.top().getFirst();
        c.putObject("message").put("role", "assistant").put("content", best.getKey());
        c.put("finish_reason", "length");
        ObjectNode first = c.putObject("logprobs").putArray("content").addObject();
        first.put("token", best.getKey()).put("logprob", best.getValue());
        ArrayNode top = first.putArray("top_logprobs");
        l.top().forEach(e -> top.addObject().put("token", e.getKey()).put("logprob", e.getValue()));
        r.putObject("usage").put("prompt_tokens", 9).put("completion_tokens", 1);
        return r;
    }

    /** SSE: a role chunk, the content in 3-character pieces, a finish chunk, the usage chunk, [DONE]. */
    private static void stream(HttpExchange ex, Text t, boolean chat, boolean includeUsage) throws IOException {
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        if (chat) {
            ObjectNode first = chunk(chat);
            ((ObjectNode) first.path("choices").path(0)).putObject("delta").put("role", "assistant");
            event(out, first.toString());
        }
        String s = t.content();
        for (int i = 0; i < s.length(); ) {
            int end = s.offsetByCodePoints(i, Math.min(3, s.codePointCount(i, s.length())));
            ObjectNode c = chunk(chat);
            ObjectNode choice = (ObjectNode) c.path("choices").path(0);
            if (chat) {
                choice.putObject("delta").put("content", s.substring(i, end));
            } else {
                choice.put("text", s.substring(i, end));
            }
            event(out, c.toString());
            i = end;
        }
        ObjectNode fin = chunk(chat);
        ObjectNode choice = (ObjectNode) fin.path("choices").path(0);
        if (chat) {
            choice.putObject("delta");
        } else {
            choice.put("text", "");
        }
        choice.put("finish_reason", t.finishReason());
        event(out, fin.toString());
        if (includeUsage) {
            ObjectNode u = JSON.createObjectNode();
            u.putArray("choices");
            u.putObject("usage").put("prompt_tokens", t.promptTokens())
                    .put("completion_tokens", t.completionTokens());
            event(out, u.toString());
        }
        out.write(": keep-alive comment\n\ndata: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static ObjectNode chunk(boolean chat) {
        ObjectNode c = JSON.createObjectNode();
        c.put("object", chat ? "chat.completion.chunk" : "text_completion");
        c.putArray("choices").addObject().put("index", 0).putNull("finish_reason");
        return c;
    }

    private static void event(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
