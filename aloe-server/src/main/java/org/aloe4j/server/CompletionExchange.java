package org.aloe4j.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.aloe4j.generation.FinishReason;

/**
 * Runs one completion request against the backend and writes the answer: one JSON object, or server-sent events
 * written by hand to the response stream with a flush per burst (so streaming works whatever the client's Accept
 * header says). While a streamed request waits (queued, or a long prompt being processed) an SSE comment line goes
 * out every {@link #PROBE_MILLIS}: a client that went away is noticed within that time and its sequences cancelled.
 */
final class CompletionExchange {
    static final long PROBE_MILLIS = 250;

    private final ParsedRequest request;
    private final Backend backend;
    private final ServerMetrics metrics;
    private final ObjectMapper json;
    private final String notice;
    private final long started = System.nanoTime();
    private final String id;
    private final long created = System.currentTimeMillis() / 1000;
    private final Choice[] choices;
    private int promptTokens;
    private boolean firstTokenSeen;
    private int open;

    /** What one choice has produced so far. */
    private static final class Choice {
        final StringBuilder text = new StringBuilder();
        final List<TokenLogprob> logprobs = new ArrayList<>();
        FinishReason reason;
        int completionTokens;
    }

    /** The client went away while we wrote. */
    static final class ClientGone extends IOException {
        ClientGone(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    CompletionExchange(ParsedRequest request, Backend backend, ServerMetrics metrics, ObjectMapper json, String notice) {
        this.request = request;
        this.backend = backend;
        this.metrics = metrics;
        this.json = json;
        this.notice = notice;
        this.id = (request.chat() ? "chatcmpl-" : "cmpl-") + UUID.randomUUID().toString().replace("-", "");
        this.choices = new Choice[request.job().n()];
        for (int i = 0; i < choices.length; i++) {
            choices[i] = new Choice();
        }
    }

    /**
     * Submits the job (request errors and a full queue are thrown before anything is written) and writes the
     * answer. Returns the HTTP status sent.
     */
    int run(HttpServletResponse response, ClientProbe probe) throws IOException, InterruptedException {
        EventQueue events = new EventQueue();
        Submission submission = backend.submit(request.job(), events);
        promptTokens = Math.max(0, submission.promptTokens());
        open = choices.length;
        try {
            return request.stream() ? stream(response, events) : whole(response, events, probe);
        } finally {
            if (open > 0) { // the client left, or a choice failed: stop the others
                submission.cancel();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ one JSON

    private int whole(HttpServletResponse response, EventQueue events, ClientProbe probe)
            throws IOException, InterruptedException {
        List<EventQueue.Event> burst = new ArrayList<>();
        long lastProbe = System.nanoTime();
        while (open > 0) {
            if (probe != null && System.nanoTime() - lastProbe > PROBE_MILLIS * 1_000_000) {
                lastProbe = System.nanoTime();
                if (!probe.clientConnected()) {
                    throw new ClientGone(new IOException("the client closed the connection"));
                }
            }
            EventQueue.Event first = events.poll(PROBE_MILLIS);
            if (first == null) {
                continue;
            }
            burst.clear();
            burst.add(first);
            events.drainTo(burst);
            for (EventQueue.Event e : burst) {
                switch (e) {
                    case EventQueue.Token t -> accept(t);
                    case EventQueue.Finish f -> {
                        finish(f);
                        open--;
                    }
                    case EventQueue.Failure f -> throw f.error();
                }
            }
        }
        ObjectNode body = json.createObjectNode();
        header(body, request.chat() ? "chat.completion" : "text_completion");
        ArrayNode array = body.putArray("choices");
        for (int i = 0; i < choices.length; i++) {
            Choice c = choices[i];
            ObjectNode o = array.addObject();
            o.put("index", i);
            String text = c.text + sourcesText();
            if (request.chat()) {
                o.putObject("message").put("role", "assistant").put("content", text);
                putChatLogprobs(o, c.logprobs);
            } else {
                o.put("text", text);
                putCompletionLogprobs(o, c.logprobs, 0);
            }
            o.put("finish_reason", c.reason.openAiName());
        }
        body.set("usage", usage());
        putSources(body);
        body.put("notice", notice);
        byte[] bytes = json.writeValueAsBytes(body);
        if (probe != null && probe.mustClose()) {
            response.setHeader("Connection", "close");
        }
        response.setStatus(200);
        response.setContentType("application/json");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
        record();
        return 200;
    }

    // --------------------------------------------------------------------------------------------------- stream

    private int stream(HttpServletResponse response, EventQueue events) throws IOException, InterruptedException {
        response.setStatus(200);
        response.setContentType("text/event-stream");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-cache");
        response.setHeader("X-Accel-Buffering", "no"); // tell proxies (nginx) not to buffer the stream
        OutputStream out = response.getOutputStream();
        int[] offsets = new int[choices.length];
        if (request.chat()) {
            for (int i = 0; i < choices.length; i++) {
                ObjectNode chunk = chunk();
                ObjectNode choice = ((ArrayNode) chunk.get("choices")).addObject();
                choice.put("index", i);
                choice.putObject("delta").put("role", "assistant").put("content", "");
                choice.putNull("logprobs");
                choice.putNull("finish_reason");
                event(out, chunk);
            }
        }
        flush(out);
        List<EventQueue.Event> burst = new ArrayList<>();
        while (open > 0) {
            EventQueue.Event first = events.poll(PROBE_MILLIS);
            if (first == null) {
                write(out, ": waiting\n\n".getBytes(StandardCharsets.US_ASCII));
                flush(out);
                continue;
            }
            burst.clear();
            burst.add(first);
            events.drainTo(burst);
            for (EventQueue.Event e : burst) {
                switch (e) {
                    case EventQueue.Token t -> {
                        accept(t);
                        ObjectNode chunk = chunk();
                        ObjectNode choice = ((ArrayNode) chunk.get("choices")).addObject();
                        choice.put("index", t.choice());
                        List<TokenLogprob> lp = t.logprob() == null ? List.of() : List.of(t.logprob());
                        if (request.chat()) {
                            choice.putObject("delta").put("content", t.text());
                            if (request.job().wantsLogprobs()) {
                                putChatLogprobs(choice, lp);
                            } else {
                                choice.putNull("logprobs");
                            }
                        } else {
                            choice.put("text", t.text());
                            if (request.job().wantsLogprobs()) {
                                putCompletionLogprobs(choice, lp, offsets[t.choice()]);
                            } else {
                                choice.putNull("logprobs");
                            }
                            offsets[t.choice()] += t.text().length();
                        }
                        choice.putNull("finish_reason");
                        event(out, chunk);
                    }
                    case EventQueue.Finish f -> {
                        finish(f);
                        open--;
                        String sources = sourcesText();
                        ObjectNode chunk = chunk();
                        ObjectNode choice = ((ArrayNode) chunk.get("choices")).addObject();
                        choice.put("index", f.choice());
                        if (request.chat()) {
                            ObjectNode delta = choice.putObject("delta");
                            if (!sources.isEmpty()) {
                                delta.put("content", sources);
                            }
                        } else {
                            choice.put("text", sources);
                        }
                        choice.putNull("logprobs");
                        choice.put("finish_reason", f.reason().openAiName());
                        putSources(chunk);
                        event(out, chunk);
                    }
                    case EventQueue.Failure f -> {
                        ApiException error = asApiException(f.error());
                        write(out, ("data: " + json.writeValueAsString(error.toJson(json)) + "\n\n")
                                .getBytes(StandardCharsets.UTF_8));
                        flush(out);
                        metrics.request(endpoint(), error.status());
                        return 200;
                    }
                }
            }
            flush(out);
        }
        if (request.includeUsage()) {
            ObjectNode chunk = chunk();
            chunk.set("usage", usage());
            event(out, chunk);
        }
        write(out, "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII));
        flush(out);
        record();
        return 200;
    }

    private ObjectNode chunk() {
        ObjectNode chunk = json.createObjectNode();
        header(chunk, request.chat() ? "chat.completion.chunk" : "text_completion");
        chunk.putArray("choices");
        if (request.includeUsage()) {
            chunk.putNull("usage"); // as OpenAI: every chunk but the last has "usage": null
        }
        return chunk;
    }

    private void event(OutputStream out, ObjectNode chunk) throws IOException {
        write(out, ("data: " + json.writeValueAsString(chunk) + "\n\n").getBytes(StandardCharsets.UTF_8));
    }

    private static void write(OutputStream out, byte[] bytes) throws IOException {
        try {
            out.write(bytes);
        } catch (IOException e) {
            throw new ClientGone(e);
        }
    }

    private static void flush(OutputStream out) throws IOException {
        try {
            out.flush();
        } catch (IOException e) {
            throw new ClientGone(e);
        }
    }

    // -------------------------------------------------------------------------------------------------- pieces

    private void accept(EventQueue.Token t) {
        Choice c = choices[t.choice()];
        c.text.append(t.text());
        if (t.logprob() != null) {
            c.logprobs.add(t.logprob());
        }
        if (!firstTokenSeen && !t.text().isEmpty()) {
            firstTokenSeen = true;
            metrics.timeToFirstToken((System.nanoTime() - started) / 1e9);
        }
    }

    private void finish(EventQueue.Finish f) {
        Choice c = choices[f.choice()];
        c.reason = f.reason();
        c.completionTokens = f.usage().completionTokens();
        promptTokens = f.usage().promptTokens();
    }

    private void header(ObjectNode o, String object) {
        o.put("id", id);
        o.put("object", object);
        o.put("created", created);
        o.put("model", request.model());
        o.put("system_fingerprint", "aloe4j");
    }

    private ObjectNode usage() {
        int completion = 0;
        for (Choice c : choices) {
            completion += c.completionTokens;
        }
        ObjectNode u = json.createObjectNode();
        u.put("prompt_tokens", promptTokens);
        u.put("completion_tokens", completion);
        u.put("total_tokens", promptTokens + completion);
        return u;
    }

    private String sourcesText() {
        if (request.sources().isEmpty()) {
            return "";
        }
        StringBuilder s = new StringBuilder("\n\nSources:");
        for (Grounding.Source src : request.sources()) {
            s.append("\n[").append(src.number()).append("] ").append(src.label());
        }
        return s.toString();
    }

    private void putSources(ObjectNode body) {
        if (request.sources().isEmpty()) {
            return;
        }
        ArrayNode a = body.putArray("sources");
        for (Grounding.Source src : request.sources()) {
            a.addObject().put("number", src.number()).put("label", src.label()).put("file", src.file())
                    .put("score", src.score());
        }
    }

    private void putChatLogprobs(ObjectNode choice, List<TokenLogprob> logprobs) {
        if (!request.job().wantsLogprobs()) {
            choice.putNull("logprobs");
            return;
        }
        ArrayNode content = choice.putObject("logprobs").putArray("content");
        for (TokenLogprob t : logprobs) {
            ObjectNode o = content.addObject();
            o.put("token", t.token());
            o.put("logprob", t.logprob());
            putBytes(o, t.token());
            ArrayNode top = o.putArray("top_logprobs");
            for (TokenLogprob.Alternative a : t.top()) {
                ObjectNode alt = top.addObject();
                alt.put("token", a.token());
                alt.put("logprob", a.logprob());
                putBytes(alt, a.token());
            }
        }
    }

    private void putCompletionLogprobs(ObjectNode choice, List<TokenLogprob> logprobs, int startOffset) {
        if (!request.job().wantsLogprobs()) {
            choice.putNull("logprobs");
            return;
        }
        ObjectNode lp = choice.putObject("logprobs");
        ArrayNode tokens = lp.putArray("tokens");
        ArrayNode values = lp.putArray("token_logprobs");
        ArrayNode tops = lp.putArray("top_logprobs");
        ArrayNode offsets = lp.putArray("text_offset");
        int offset = startOffset;
        for (TokenLogprob t : logprobs) {
            tokens.add(t.token());
            values.add(t.logprob());
            ObjectNode top = tops.addObject();
            for (TokenLogprob.Alternative a : t.top()) {
                top.put(a.token(), a.logprob());
            }
            offsets.add(offset);
            offset += t.token().length();
        }
    }

    private static void putBytes(ObjectNode o, String token) {
        ArrayNode bytes = o.putArray("bytes");
        for (byte b : token.getBytes(StandardCharsets.UTF_8)) {
            bytes.add(b & 0xff);
        }
    }

    private void record() {
        int completion = 0;
        for (Choice c : choices) {
            completion += c.completionTokens;
        }
        metrics.tokens(promptTokens, completion);
        metrics.request(endpoint(), 200);
        metrics.duration(endpoint(), (System.nanoTime() - started) / 1e9);
    }

    private String endpoint() {
        return request.chat() ? "/v1/chat/completions" : "/v1/completions";
    }

    static ApiException asApiException(RuntimeException e) {
        return e instanceof ApiException api ? api : ApiException.server("Generation failed: " + e.getMessage());
    }
}
