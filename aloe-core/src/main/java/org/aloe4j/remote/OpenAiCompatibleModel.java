package org.aloe4j.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.aloe4j.generation.AloeDefaults;
import org.aloe4j.generation.ChatMessage;
import org.aloe4j.generation.ChatRequest;
import org.aloe4j.generation.FinishReason;
import org.aloe4j.generation.GenerationResult;
import org.aloe4j.generation.LanguageModel;
import org.aloe4j.generation.ModelFamily;
import org.aloe4j.generation.SamplingSettings;
import org.aloe4j.generation.TokenSink;
import org.aloe4j.generation.Usage;

/**
 * A {@link LanguageModel} served by any OpenAI-compatible server: vLLM, the llama.cpp server, aloe's own server.
 * Uses {@code /v1/chat/completions} and {@code /v1/completions}, streamed (SSE) when the caller passes a real
 * {@link TokenSink} and in one piece otherwise (see {@link StreamMode}).
 *
 * <p>Sampling settings go out as {@code temperature, top_p, top_k, min_p, repetition_penalty, seed, max_tokens,
 * stop}; {@code top_k}, {@code min_p} and {@code repetition_penalty} are sent only when they do something (top_k &gt;
 * 0, min_p &gt; 0, penalty != 1), because the official OpenAI API rejects them. An assistant prefix is sent as a final
 * assistant message with vLLM's {@code continue_final_message: true, add_generation_prompt: false} (the llama.cpp
 * server continues a final assistant message by itself).
 *
 * <p>{@link #candidateLogprobs} asks for {@code logprobs: true, top_logprobs: 20, max_tokens: 1, temperature: 0}
 * and reads the first generated position: a candidate is matched to a listed token by exact text (several listed
 * tokens with the same text are summed); a candidate missing from the list gets {@link Double#NEGATIVE_INFINITY}.
 * The server cannot tell us how a multi-token candidate starts, so only exact single-token matches count.
 *
 * <p>Thread-safe: concurrent calls share one {@link HttpClient}.
 */
public final class OpenAiCompatibleModel implements LanguageModel {

    /** When to ask the server for an SSE stream. */
    public enum StreamMode {
        /** Stream when the caller's sink is not {@link TokenSink#NONE}. */
        AUTO,
        ALWAYS,
        NEVER
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The OpenAI API's maximum for top_logprobs. */
    public static final int TOP_LOGPROBS = 20;

    private final URI base;
    private final RetryingHttp http;
    private final StreamMode streamMode;
    private final String displayName;
    private final ModelFamily explicitFamily;
    private final String explicitSystemPrompt;
    private final boolean systemPromptSet;
    private volatile String backendModel;

    private OpenAiCompatibleModel(Builder b) {
        this.base = normaliseBase(b.baseUrl);
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(b.connectTimeout)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        this.http = new RetryingHttp(client, JSON, b.apiKey, b.requestTimeout, b.retry);
        this.streamMode = b.streamMode;
        this.backendModel = b.backendModel;
        this.displayName = b.displayName;
        this.explicitFamily = b.family;
        this.explicitSystemPrompt = b.systemPrompt;
        this.systemPromptSet = b.systemPromptSet;
    }

    public static Builder builder(String baseUrl) {
        return new Builder(baseUrl);
    }

    /** Settings of the client; only the base URL is required. */
    public static final class Builder {
        private final String baseUrl;
        private String apiKey;
        private String backendModel;
        private String displayName;
        private ModelFamily family;
        private String systemPrompt;
        private boolean systemPromptSet;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofMinutes(10);
        private RetryPolicy retry = RetryPolicy.defaults();
        private StreamMode streamMode = StreamMode.AUTO;

        private Builder(String baseUrl) {
            this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
        }

        /** Sent as {@code Authorization: Bearer KEY}; null or empty sends none. */
        public Builder apiKey(String key) {
            this.apiKey = key;
            return this;
        }

        /** The {@code model} field of each request; null asks {@code /v1/models} once and takes the first. */
        public Builder backendModel(String name) {
            this.backendModel = name;
            return this;
        }

        /** The name shown in reports; defaults to the backend model name. */
        public Builder displayName(String name) {
            this.displayName = name;
            return this;
        }

        /** The family (sampling defaults); defaults to a guess from the model name. */
        public Builder family(ModelFamily f) {
            this.family = f;
            return this;
        }

        /**
         * The system prompt put first when a request has none and asks for the default; null leaves it to the
         * server's chat template. Unset: Aloe's prompt when the model name contains "aloe", else none.
         */
        public Builder defaultSystemPrompt(String prompt) {
            this.systemPrompt = prompt;
            this.systemPromptSet = true;
            return this;
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = Objects.requireNonNull(d);
            return this;
        }

        /** Time allowed for a response to start (headers received). */
        public Builder requestTimeout(Duration d) {
            this.requestTimeout = Objects.requireNonNull(d);
            return this;
        }

        public Builder retry(RetryPolicy p) {
            this.retry = Objects.requireNonNull(p);
            return this;
        }

        public Builder streamMode(StreamMode m) {
            this.streamMode = Objects.requireNonNull(m);
            return this;
        }

        public OpenAiCompatibleModel build() {
            return new OpenAiCompatibleModel(this);
        }
    }

    // ---------------------------------------------------------------------------------------------------- naming

    /** The server's base URL, normalised to end before {@code /v1}. */
    public URI baseUri() {
        return base;
    }

    /** The {@code model} field sent with each request (asks the server when none was given). */
    public String backendModel() {
        String m = backendModel;
        if (m == null) {
            synchronized (this) {
                if (backendModel == null) {
                    backendModel = discoverModel();
                }
                m = backendModel;
            }
        }
        return m;
    }

    /** The ids listed by {@code GET /v1/models}. */
    public List<String> listModels() {
        URI uri = endpoint("models");
        JsonNode data = http.getJson(uri).path("data");
        List<String> ids = new ArrayList<>();
        for (JsonNode m : data) {
            if (m.hasNonNull("id")) {
                ids.add(m.get("id").asText());
            }
        }
        return ids;
    }

    private String discoverModel() {
        List<String> ids = listModels();
        if (ids.isEmpty()) {
            throw new RemoteModelException("GET", endpoint("models"), -1,
                    "the server lists no model; name one with the backend model option");
        }
        return ids.getFirst();
    }

    @Override
    public String name() {
        return displayName != null ? displayName : backendModel();
    }

    @Override
    public ModelFamily family() {
        if (explicitFamily != null) {
            return explicitFamily;
        }
        String n = name().toLowerCase(Locale.ROOT);
        if (n.contains("qwen")) {
            return ModelFamily.QWEN2;
        }
        if (n.contains("llama")) {
            return ModelFamily.LLAMA;
        }
        return ModelFamily.OTHER;
    }

    private String defaultSystemPrompt() {
        if (systemPromptSet) {
            return explicitSystemPrompt;
        }
        return name().toLowerCase(Locale.ROOT).contains("aloe") ? AloeDefaults.SYSTEM_PROMPT : null;
    }

    // ------------------------------------------------------------------------------------------------ generation

    @Override
    public GenerationResult chat(ChatRequest request, TokenSink sink) {
        ObjectNode body = chatBody(request);
        putSampling(body, samplingOf(request.sampling()), request.stop());
        return run(endpoint("chat/completions"), body, sink, true);
    }

    @Override
    public GenerationResult complete(String prompt, SamplingSettings sampling, List<String> stop, TokenSink sink) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", backendModel());
        body.put("prompt", prompt);
        putSampling(body, samplingOf(sampling), stop);
        return run(endpoint("completions"), body, sink, false);
    }

    @Override
    public double[] candidateLogprobs(ChatRequest request, List<String> candidates) {
        ObjectNode body = chatBody(request);
        body.put("max_tokens", 1);
        body.put("temperature", 0.0);
        body.put("logprobs", true);
        body.put("top_logprobs", TOP_LOGPROBS);
        URI uri = endpoint("chat/completions");
        JsonNode response = http.readJson("POST", uri, http.post(uri, body, false));
        JsonNode first = response.path("choices").path(0).path("logprobs").path("content").path(0);
        if (first.isMissingNode()) {
            throw new RemoteModelException("POST", uri, 200,
                    "the response has no choices[0].logprobs.content[0]: the server does not return log-probabilities");
        }
        Map<String, Double> byText = new HashMap<>();
        for (JsonNode t : first.path("top_logprobs")) {
            addLogprob(byText, t);
        }
        if (byText.isEmpty()) {
            addLogprob(byText, first); // a server that lists only the chosen token
        }
        double[] out = new double[candidates.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = byText.getOrDefault(candidates.get(i), Double.NEGATIVE_INFINITY);
        }
        return out;
    }

    private static void addLogprob(Map<String, Double> byText, JsonNode t) {
        if (!t.hasNonNull("token") || !t.has("logprob")) {
            return;
        }
        double lp = t.get("logprob").asDouble(Double.NEGATIVE_INFINITY);
        // two vocabulary entries with the same text: the text's probability is their sum
        byText.merge(t.get("token").asText(), lp, OpenAiCompatibleModel::logAddExp);
    }

    private static double logAddExp(double a, double b) {
        if (a == Double.NEGATIVE_INFINITY) {
            return b;
        }
        if (b == Double.NEGATIVE_INFINITY) {
            return a;
        }
        double m = Math.max(a, b);
        return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
    }

    private SamplingSettings samplingOf(SamplingSettings s) {
        return s != null ? s : AloeDefaults.sampling(family());
    }

    private ObjectNode chatBody(ChatRequest request) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", backendModel());
        ArrayNode messages = body.putArray("messages");
        boolean hasSystem = request.messages().stream().anyMatch(m -> m.role().equals("system"));
        String system = defaultSystemPrompt();
        if (!hasSystem && request.useDefaultSystemPrompt() && system != null) {
            messages.addObject().put("role", "system").put("content", system);
        }
        for (ChatMessage m : request.messages()) {
            messages.addObject().put("role", m.role()).put("content", m.content());
        }
        if (!request.assistantPrefix().isEmpty()) {
            messages.addObject().put("role", "assistant").put("content", request.assistantPrefix());
            body.put("continue_final_message", true);
            body.put("add_generation_prompt", false);
        }
        return body;
    }

    private static void putSampling(ObjectNode body, SamplingSettings s, List<String> stop) {
        body.put("temperature", s.temperature());
        body.put("top_p", s.topP());
        if (s.topK() > 0) {
            body.put("top_k", s.topK());
        }
        if (s.minP() > 0) {
            body.put("min_p", s.minP());
        }
        if (s.repetitionPenalty() != 1.0) {
            body.put("repetition_penalty", s.repetitionPenalty());
        }
        if (s.seed() != null) {
            body.put("seed", s.seed());
        }
        if (s.maxNewTokens() > 0) {
            body.put("max_tokens", s.maxNewTokens());
        }
        if (stop != null && !stop.isEmpty()) {
            ArrayNode a = body.putArray("stop");
            stop.forEach(a::add);
        }
    }

    private GenerationResult run(URI uri, ObjectNode body, TokenSink sink, boolean chat) {
        TokenSink out = sink == null ? TokenSink.NONE : sink;
        boolean stream = switch (streamMode) {
            case ALWAYS -> true;
            case NEVER -> false;
            case AUTO -> out != TokenSink.NONE;
        };
        if (stream) {
            body.put("stream", true);
            body.putObject("stream_options").put("include_usage", true);
            return readStream(uri, http.post(uri, body, true), out, chat);
        }
        JsonNode response = http.readJson("POST", uri, http.post(uri, body, false));
        JsonNode choice = response.path("choices").path(0);
        if (choice.isMissingNode()) {
            throw new RemoteModelException("POST", uri, 200, "the response has no choices: " + abbreviate(response));
        }
        String text = chat ? choice.path("message").path("content").asText("") : choice.path("text").asText("");
        FinishReason reason = finishReason(choice.path("finish_reason").asText("stop"));
        if (!text.isEmpty() && !out.onToken(text, -1)) {
            reason = FinishReason.CANCELLED;
        }
        return new GenerationResult(text, reason, usage(response.path("usage")));
    }

    private GenerationResult readStream(URI uri, HttpResponse<InputStream> response, TokenSink sink, boolean chat) {
        StringBuilder text = new StringBuilder();
        FinishReason reason = null;
        Usage usage = new Usage(0, 0);
        try (ServerSentEvents events = new ServerSentEvents(response.body())) {
            String data;
            while ((data = events.next()) != null) {
                if (data.strip().equals("[DONE]")) {
                    break;
                }
                JsonNode chunk = JSON.readTree(data);
                JsonNode error = chunk.get("error");
                if (error != null && !error.isNull()) {
                    String msg = error.isObject() ? error.path("message").asText(error.toString()) : error.asText();
                    throw new RemoteModelException("POST", uri, response.statusCode(), "error in stream: " + msg);
                }
                if (chunk.hasNonNull("usage")) {
                    usage = usage(chunk.get("usage"));
                }
                JsonNode choice = chunk.path("choices").path(0);
                if (choice.isMissingNode()) {
                    continue;
                }
                String piece = chat ? choice.path("delta").path("content").asText("") : choice.path("text").asText("");
                if (!piece.isEmpty()) {
                    text.append(piece);
                    if (!sink.onToken(piece, -1)) {
                        // closing the body aborts the connection, which stops the server's generation
                        return new GenerationResult(text.toString(), FinishReason.CANCELLED, usage);
                    }
                }
                if (choice.hasNonNull("finish_reason")) {
                    reason = finishReason(choice.get("finish_reason").asText());
                }
            }
        } catch (IOException e) {
            throw new RemoteModelException("POST", uri, response.statusCode(),
                    "stream broken after " + text.length() + " characters: " + e.getMessage(), e);
        }
        return new GenerationResult(text.toString(), reason == null ? FinishReason.STOP : reason, usage);
    }

    private static FinishReason finishReason(String s) {
        return s.equals("length") ? FinishReason.LENGTH : FinishReason.STOP;
    }

    private static Usage usage(JsonNode u) {
        return new Usage(u.path("prompt_tokens").asInt(0), u.path("completion_tokens").asInt(0));
    }

    private static String abbreviate(JsonNode n) {
        String s = n.toString();
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    private URI endpoint(String path) {
        return base.resolve("v1/" + path); // base always ends with '/', so a path prefix is kept
    }

    /** Accepts {@code http://host:port}, {@code http://host:port/} and {@code .../v1} forms. */
    static URI normaliseBase(String url) {
        String u = url.strip();
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        if (u.endsWith("/v1")) {
            u = u.substring(0, u.length() - 3);
        }
        URI uri;
        try {
            uri = URI.create(u + "/");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a URL: " + url, e);
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                || uri.getHost() == null) {
            throw new IllegalArgumentException("not an http(s) URL: " + url);
        }
        return uri;
    }

    @Override
    public String toString() {
        return "OpenAiCompatibleModel[" + base + (backendModel != null ? ", " + backendModel : "") + "]";
    }
}
