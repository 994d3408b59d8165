package org.aloe4j.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.aloe4j.generation.AloeDefaults;
import org.aloe4j.generation.ChatMessage;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.ServerConnector;

/**
 * {@code aloe serve}: the OpenAI API ({@code /v1/chat/completions}, {@code /v1/completions}, {@code /v1/models}),
 * {@code /health}, {@code /metrics} and the web chat page at {@code /}, in front of a {@link Backend}.
 *
 * <p>Every refusal is OpenAI's error JSON with its status code (400 bad parameter or JSON, 401 key, 404 model or
 * URL, 413 body, 429 queue full, 503 shutting down); an error never stops the server.
 */
public final class AloeServer implements AutoCloseable {
    private static final String WEB = "/org/aloe4j/server/web/";
    private static final Map<String, String> PAGE_FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "app.js", "text/javascript; charset=utf-8",
            "style.css", "text/css; charset=utf-8");

    private static final String ERROR_WRITTEN = "aloe.error";

    private final Backend backend;
    private final ServerOptions options;
    private final ObjectMapper json = new ObjectMapper();
    private final ServerMetrics metrics = new ServerMetrics();
    private final RequestParser parser;
    private final byte[] apiKey;
    private final Javalin app;

    private AloeServer(Backend backend, ServerOptions options) {
        this.backend = backend;
        this.options = options;
        this.parser = new RequestParser(backend, options.maxTokensLimit());
        this.apiKey = options.apiKey() == null ? null : options.apiKey().getBytes(StandardCharsets.UTF_8);
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.concurrency.useVirtualThreads = true; // one waiting stream = one cheap thread
            config.http.compressionStrategy = CompressionStrategy.NONE; // compression would buffer the streams
            config.jetty.host = options.host();
            config.jetty.port = options.port();
            var r = config.routes;
            r.before(this::cors);
            r.before("/v1/*", this::authenticate);
            r.before("/metrics", this::authenticate);
            r.options("/*", ctx -> ctx.status(options.corsOrigin() != null ? 204 : 404));
            r.get("/", ctx -> page(ctx, "index.html"));
            r.get("/static/{file}", ctx -> page(ctx, ctx.pathParam("file")));
            r.get("/health", this::health);
            r.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                    .result(metrics.render(backend.stats())));
            r.get("/v1/models", this::models);
            r.get("/v1/models/{id}", this::model);
            r.post("/v1/chat/completions", ctx -> completion(ctx, true));
            r.post("/v1/completions", ctx -> completion(ctx, false));
            r.exception(ApiException.class, (e, ctx) -> error(ctx, e));
            r.exception(Exception.class, (e, ctx) -> {
                if (e instanceof CompletionExchange.ClientGone) {
                    metrics.disconnect();
                    return;
                }
                error(ctx, ApiException.server("Internal error: " + e));
            });
            r.error(404, ctx -> {
                if (ctx.attribute(ERROR_WRITTEN) == null) { // Javalin's own "not found": make it OpenAI's
                    error(ctx, ApiException.notFound(ctx.method().name(), ctx.path()));
                }
            });
        });
    }

    /** Starts serving {@code backend}; the server owns it and closes it on {@link #close}. */
    public static AloeServer start(Backend backend, ServerOptions options) {
        AloeServer server = new AloeServer(backend, options);
        server.app.start();
        for (Connector c : server.app.jettyServer().server().getConnectors()) {
            if (c instanceof ServerConnector sc) {
                sc.setIdleTimeout(30 * 60_000L); // a long non-streamed generation writes nothing for minutes
            }
        }
        return server;
    }

    public int port() {
        return app.port();
    }

    public Backend backend() {
        return backend;
    }

    /** The base URL clients use, e.g. {@code http://127.0.0.1:8080/v1}. */
    public String baseUrl() {
        String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
        if (host.equals("0.0.0.0") || host.equals("[::]")) {
            host = "127.0.0.1";
        }
        return "http://" + host + ":" + port() + "/v1";
    }

    @Override
    public void close() {
        try {
            app.stop();
        } finally {
            backend.close();
        }
    }

    // ------------------------------------------------------------------------------------------------ handlers

    private void completion(Context ctx, boolean chat) throws Exception {
        String endpoint = chat ? "/v1/chat/completions" : "/v1/completions";
        long started = System.nanoTime();
        try {
            JsonNode body = readJson(ctx);
            ParsedRequest request = chat ? parser.chat(body) : parser.completion(body);
            if (chat && options.grounding() != null) {
                request = ground(request);
            }
            ctx.header("Aloe-Notice", AloeDefaults.NOTICE);
            ClientProbe probe = request.stream() ? null : ClientProbe.of(ctx.req());
            new CompletionExchange(request, backend, metrics, json, AloeDefaults.NOTICE).run(ctx.res(), probe);
        } catch (ApiException e) {
            metrics.duration(endpoint, (System.nanoTime() - started) / 1e9);
            throw e; // counted by error()
        } catch (CompletionExchange.ClientGone e) {
            metrics.request(endpoint, 499); // nginx's "client closed request"
            throw e;
        }
    }

    /** Adds retrieved passages for the last user message to the system prompt, and remembers the sources. */
    private ParsedRequest ground(ParsedRequest request) {
        List<ChatMessage> messages = ((Prompt.Chat) request.job().prompt()).messages();
        String question = null;
        for (ChatMessage m : messages) {
            if (m.role().equals("user")) {
                question = m.content();
            }
        }
        if (question == null || question.isBlank()) {
            return request;
        }
        Grounding.Context context = options.grounding().ground(question);
        if (context.isEmpty()) {
            return request;
        }
        List<ChatMessage> grounded = new ArrayList<>(messages.size());
        boolean done = false;
        for (ChatMessage m : messages) {
            if (!done && m.role().equals("system")) {
                grounded.add(ChatMessage.system(m.content() + "\n\n" + context.instructions()));
                done = true;
            } else {
                grounded.add(m);
            }
        }
        return request.withGrounding(request.job().withPrompt(new Prompt.Chat(grounded)), context.sources());
    }

    private JsonNode readJson(Context ctx) throws IOException {
        long limit = options.maxBodyBytes();
        long declared = ctx.req().getContentLengthLong();
        if (declared > limit) {
            ctx.header("Connection", "close"); // the unread body must not be parsed as the next request
            throw ApiException.tooLarge(limit);
        }
        byte[] body;
        try (InputStream in = ctx.req().getInputStream()) {
            body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
        }
        if (body.length > limit) {
            ctx.header("Connection", "close");
            throw ApiException.tooLarge(limit);
        }
        try {
            JsonNode node = json.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw new ApiException(400, "invalid_request_error", "The request body is empty; the API expects "
                        + "a JSON object.", null, null);
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "invalid_request_error", "We could not parse the JSON body of your request. "
                    + "(HINT: This likely means you aren't using your HTTP library correctly. The API expects a JSON "
                    + "payload: " + e.getOriginalMessage() + ")", null, null);
        }
    }

    private void models(Context ctx) {
        ObjectNode root = json.createObjectNode();
        root.put("object", "list");
        root.putArray("data").add(modelJson());
        ctx.json(root);
    }

    private void model(Context ctx) {
        if (!ctx.pathParam("id").equals(backend.modelId())) {
            throw ApiException.modelNotFound(ctx.pathParam("id"));
        }
        ctx.json(modelJson());
    }

    private ObjectNode modelJson() {
        ObjectNode m = json.createObjectNode();
        m.put("id", backend.modelId());
        m.put("object", "model");
        m.put("created", 0);
        m.put("owned_by", "aloe4j");
        if (backend.contextLength() > 0) {
            m.put("max_model_len", backend.contextLength());
        }
        return m;
    }

    private void health(Context ctx) {
        BackendStats s = backend.stats();
        ObjectNode h = json.createObjectNode();
        h.put("status", "ok");
        h.put("model", backend.modelId());
        h.put("running", s.running());
        h.put("queued", s.queued());
        h.put("parallel", s.parallel());
        h.put("notice", AloeDefaults.NOTICE);
        ctx.json(h);
    }

    private void page(Context ctx, String file) throws IOException {
        String type = PAGE_FILES.get(file);
        if (type == null) {
            throw ApiException.notFound("GET", ctx.path());
        }
        byte[] bytes;
        try (InputStream in = AloeServer.class.getResourceAsStream(WEB + file)) {
            if (in == null) {
                throw ApiException.server("the web page resource " + file + " is missing from the jar");
            }
            bytes = in.readAllBytes();
        }
        if (file.equals("index.html")) {
            // filled in on the server, so the notice shows even before (or without) the script
            bytes = new String(bytes, StandardCharsets.UTF_8)
                    .replace("{{NOTICE}}", html(AloeDefaults.NOTICE))
                    .replace("{{SYSTEM_PROMPT}}", html(AloeDefaults.SYSTEM_PROMPT))
                    .replace("{{MODEL}}", html(backend.modelId()))
                    .replace("{{KEY_REQUIRED}}", apiKey != null ? "true" : "false")
                    .getBytes(StandardCharsets.UTF_8);
        }
        ctx.contentType(type).header("Cache-Control", "no-cache").header("X-Content-Type-Options", "nosniff")
                .result(bytes);
    }

    private static String html(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    // --------------------------------------------------------------------------------------- auth, CORS, errors

    private void authenticate(Context ctx) {
        if (apiKey == null || ctx.method().name().equals("OPTIONS")) {
            return;
        }
        String header = ctx.header("Authorization");
        if (header == null || header.isBlank()) {
            throw new ApiException(401, "invalid_request_error", "You didn't provide an API key. You need to provide "
                    + "your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                    null, null);
        }
        byte[] given = header.startsWith("Bearer ") ? header.substring(7).strip().getBytes(StandardCharsets.UTF_8)
                : new byte[0];
        if (!MessageDigest.isEqual(given, apiKey)) { // constant time: no timing oracle on the key
            throw ApiException.unauthorized("Incorrect API key provided.");
        }
    }

    private void cors(Context ctx) {
        String allowed = options.corsOrigin();
        if (allowed == null) {
            return;
        }
        String origin = ctx.header("Origin");
        if (allowed.equals("*")) {
            ctx.header("Access-Control-Allow-Origin", "*");
        } else if (allowed.equals(origin)) {
            ctx.header("Access-Control-Allow-Origin", origin);
            ctx.header("Vary", "Origin");
        } else {
            return;
        }
        ctx.header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
        ctx.header("Access-Control-Allow-Headers", "Authorization, Content-Type");
        ctx.header("Access-Control-Max-Age", "600");
    }

    private void error(Context ctx, ApiException e) {
        if (ctx.res().isCommitted()) {
            return; // a stream already started: the exchange wrote the error as an event
        }
        ctx.attribute(ERROR_WRITTEN, Boolean.TRUE);
        try {
            ctx.status(e.status()).contentType("application/json").result(json.writeValueAsString(e.toJson(json)));
        } catch (JsonProcessingException x) {
            ctx.status(500).result("{\"error\":{\"message\":\"internal error\",\"type\":\"server_error\"}}");
        }
        if (e.status() == 429 || e.status() == 503) {
            ctx.header("Retry-After", "1");
        }
        String path = ctx.path();
        metrics.request(path.equals("/v1/chat/completions") || path.equals("/v1/completions") ? path
                : path.startsWith("/v1/models") ? "/v1/models" : "other", e.status());
    }
}
