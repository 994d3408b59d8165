package org.aloe4j.remote;

import static org.aloe4j.remote.ScriptedOpenAiServer.failure;
import static org.aloe4j.remote.ScriptedOpenAiServer.logprobs;
import static org.aloe4j.remote.ScriptedOpenAiServer.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.aloe4j.generation.AloeDefaults;
import org.aloe4j.generation.ChatMessage;
import org.aloe4j.generation.ChatRequest;
import org.aloe4j.generation.FinishReason;
import org.aloe4j.generation.GenerationResult;
import org.aloe4j.generation.ModelFamily;
import org.aloe4j.generation.SamplingSettings;
import org.aloe4j.generation.TokenSink;
import org.junit.jupiter.api.Test;

class OpenAiCompatibleModelTest {

    private static final RetryPolicy FAST = new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(5));

    private static OpenAiCompatibleModel.Builder client(ScriptedOpenAiServer s) {
        return OpenAiCompatibleModel.builder(s.url()).backendModel("m").retry(FAST);
    }

    private static ChatRequest ask(String q) {
        return ChatRequest.of(List.of(ChatMessage.user(q)));
    }

    @Test
    void chatSendsSamplingFieldsKeyAndStopAndReadsTextUsageFinish() throws IOException {
        try (var s = new ScriptedOpenAiServer(c -> text("Hello there", "length", 12, 3))) {
            var m = client(s).apiKey("sk-test").build();
            var sampling = new SamplingSettings(0.3, 40, 0.9, 0.05, 1.1, 1234L, 77);
            GenerationResult r = m.chat(ask("hi").withSampling(sampling).withStop(List.of("###", "END")), null);
            assertEquals("Hello there", r.text());
            assertEquals(FinishReason.LENGTH, r.finishReason());
            assertEquals(12, r.usage().promptTokens());
            assertEquals(3, r.usage().completionTokens());

            var call = s.calls().getFirst();
            assertEquals("/v1/chat/completions", call.path());
            assertEquals("Bearer sk-test", call.header("Authorization"));
            var b = call.body();
            assertEquals("m", b.get("model").asText());
            assertEquals(0.3, b.get("temperature").asDouble());
            assertEquals(0.9, b.get("top_p").asDouble());
            assertEquals(40, b.get("top_k").asInt());
            assertEquals(0.05, b.get("min_p").asDouble());
            assertEquals(1.1, b.get("repetition_penalty").asDouble());
            assertEquals(1234L, b.get("seed").asLong());
            assertEquals(77, b.get("max_tokens").asInt());
            assertEquals("###", b.get("stop").get(0).asText());
            assertEquals("END", b.get("stop").get(1).asText());
            assertFalse(b.has("stream"), "no sink: one JSON response");
            // model name without "aloe": no default system prompt is added
            assertEquals(1, b.get("messages").size());
            assertEquals("user", b.get("messages").get(0).get("role").asText());
        }
    }

    @Test
    void neutralSamplingFieldsAreLeftOutAndAloeGetsItsSystemPrompt() throws IOException {
        try (var s = new ScriptedOpenAiServer(c -> text("ok"))) {
            var m = client(s).backendModel("HPAI-BSC/Qwen2.5-Aloe-Beta-7B").build();
            assertEquals(ModelFamily.QWEN2, m.family());
            m.chat(ask("q").withSampling(SamplingSettings.greedy(5)), null);
            var b = s.calls().getFirst().body();
            assertFalse(b.has("top_k"));
            assertFalse(b.has("min_p"));
            assertFalse(b.has("repetition_penalty"));
            assertFalse(b.has("seed"));
            assertEquals(0.0, b.get("temperature").asDouble());
            assertEquals("system", b.get("messages").get(0).get("role").asText());
            assertEquals(AloeDefaults.SYSTEM_PROMPT, b.get("messages").get(0).get("content").asText());

            // sampling null: the family's model-card defaults (Qwen: 0.7 / top_k 20 / top_p 0.8 / 1.05 / 256)
            m.chat(ChatRequest.of(List.of(ChatMessage.system("sys"), ChatMessage.user("q"))), null);
            var d = s.calls().get(1).body();
            assertEquals(0.7, d.get("temperature").asDouble());
            assertEquals(20, d.get("top_k").asInt());
            assertEquals(0.8, d.get("top_p").asDouble());
            assertEquals(1.05, d.get("repetition_penalty").asDouble());
            assertEquals(256, d.get("max_tokens").asInt());
            assertEquals("sys", d.get("messages").get(0).get("content").asText(), "own system prompt kept");
            assertEquals(2, d.get("messages").size());
        }
    }

    @Test
    void streamingDeliversPiecesInOrderAndUsageFromTheLastChunk() throws IOException {
        String reply = "Let's think: ñandú → Answer: [C]";
        try (var s = new ScriptedOpenAiServer(c -> text(reply, "stop", 21, 9))) {
            var m = client(s).build();
            List<String> pieces = new ArrayList<>();
            GenerationResult r = m.chat(ask("q"), (t, id) -> pieces.add(t));
            assertTrue(s.calls().getFirst().stream());
            assertTrue(s.calls().getFirst().body().path("stream_options").path("include_usage").asBoolean());
            assertTrue(pieces.size() > 5, "several SSE events: " + pieces.size());
            assertEquals(reply, String.join("", pieces));
            assertEquals(reply, r.text());
            assertEquals(FinishReason.STOP, r.finishReason());
            assertEquals(21, r.usage().promptTokens());
            assertEquals(9, r.usage().completionTokens());
        }
    }

    @Test
    void streamModeAlwaysStreamsEvenWithoutSinkAndCompletionsStream() throws IOException {
        try (var s = new ScriptedOpenAiServer(c -> text("raw continuation", "length", 4, 4))) {
            var m = client(s).streamMode(OpenAiCompatibleModel.StreamMode.ALWAYS).build();
            GenerationResult r = m.complete("Once upon", SamplingSettings.greedy(4), List.of(), TokenSink.NONE);
            assertEquals("/v1/completions", s.calls().getFirst().path());
            assertEquals("Once upon", s.calls().getFirst().body().get("prompt").asText());
            assertTrue(s.calls().getFirst().stream());
            assertEquals("raw continuation", r.text());
            assertEquals(FinishReason.LENGTH, r.finishReason());
        }
    }

    @Test
    void sinkReturningFalseCancelsTheStream() throws IOException {
        try (var s = new ScriptedOpenAiServer(c -> text("abcdefghijklmnop"))) {
            var m = client(s).build();
            AtomicInteger n = new AtomicInteger();
            GenerationResult r = m.chat(ask("q"), (t, id) -> n.incrementAndGet() < 2);
            assertEquals(FinishReason.CANCELLED, r.finishReason());
            assertEquals("abcdef", r.text(), "two 3-character pieces were received");
        }
    }

    @Test
    void retriesOn503And429ThenSucceeds() throws IOException {
        AtomicInteger n = new AtomicInteger();
        try (var s = new ScriptedOpenAiServer(c -> switch (n.getAndIncrement()) {
            case 0 -> failure(503, "overloaded");
            case 1 -> failure(429, "slow down", "0");
            default -> text("fine");
        })) {
            var m = client(s).build();
            assertEquals("fine", m.chat(ask("q"), null).text());
            assertEquals(3, s.calls().size());
        }
    }

    @Test
    void retryBackoffDoublesAndHonoursRetryAfterWithinTheCap() {
        var p = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(1));
        assertEquals(Duration.ofMillis(100), p.backoff(0, null));
        assertEquals(Duration.ofMillis(200), p.backoff(1, null));
        assertEquals(Duration.ofMillis(800), p.backoff(3, null));
        assertEquals(Duration.ofSeconds(1), p.backoff(4, null), "capped");
        assertEquals(Duration.ZERO, p.backoff(2, "0"));
        assertEquals(Duration.ofSeconds(1), p.backoff(0, "120"), "Retry-After capped too");
        assertEquals(Duration.ofMillis(400), p.backoff(2, "Wed, 21 Oct 2015 07:28:00 GMT"));
        assertTrue(RetryPolicy.retryableStatus(429));
        assertTrue(RetryPolicy.retryableStatus(502));
        assertFalse(RetryPolicy.retryableStatus(400));
        assertFalse(RetryPolicy.retryableStatus(404));
    }

    @Test
    void persistent5xxFailsAfterAllRetriesNamingUrlStatusAndServerMessage() throws IOException {
        try (var s = new ScriptedOpenAiServer(c -> failure(500, "CUDA out of memory"))) {
            var m = client(s).build();
            var e = assertThrows(RemoteModelException.class, () -> m.chat(ask("q"), null));
            assertEquals(4, s.calls().size(), "1 attempt + 3 retries");
            assertEquals(500, e.status());
            assertEquals("POST " + s.url() + "/v1/chat/completions: HTTP 500: CUDA out of memory (after 4 attempts)",
                    e.getMessage());
        }
    }

    @Test
    void clientErrorsAreNotRetried() throws IOException {
        try (var s = new ScriptedOpenAiServer(c -> failure(400, "max_tokens is too large"))) {
            var m = client(s).build();
            var e = assertThrows(RemoteModelException.class, () -> m.chat(ask("q"), TokenSink.NONE));
            assertEquals(1, s.calls().size());
            assertEquals(400, e.status());
            assertTrue(e.getMessage().contains("/v1/chat/completions: HTTP 400: max_tokens is too large"),
                    e.getMessage());
        }
    }

    @Test
    void connectionRefusedIsRetriedThenReportedWithTheUrl() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        var m = OpenAiCompatibleModel.builder("http://127.0.0.1:" + port + "/v1/").backendModel("m")
                .retry(new RetryPolicy(1, Duration.ofMillis(1), Duration.ofMillis(1))).build();
        var e = assertThrows(RemoteModelException.class, () -> m.chat(ask("q"), null));
        assertEquals(-1, e.status());
        assertTrue(e.getMessage().startsWith("POST http://127.0.0.1:" + port + "/v1/chat/completions: "),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("(after 2 attempts)"), e.getMessage());
    }

    @Test
    void requestTimeoutIsReported() throws IOException {
        try (var s = new ScriptedOpenAiServer(c -> {
            try {
                Thread.sleep(1500);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            return text("late");
        })) {
            var m = client(s).retry(RetryPolicy.none()).requestTimeout(Duration.ofMillis(200)).build();
            var e = assertThrows(RemoteModelException.class, () -> m.chat(ask("q"), null));
            assertTrue(e.getMessage().contains("HttpTimeoutException"), e.getMessage());
        }
    }

    @Test
    void candidateLogprobsAsksForTop20OfOneTokenAndMissingCandidatesAreNegativeInfinity() throws IOException {
        Map<String, Double> top = new LinkedHashMap<>();
        top.put("B", -0.2);
        top.put("A", -1.9);
        top.put(" C", -3.0);
        top.put("D", -4.5);
        top.put("d", -6.0);
        try (var s = new ScriptedOpenAiServer(c -> logprobs(top))) {
            var m = client(s).build();
            double[] lp = m.candidateLogprobs(ask("q"), List.of("A", "B", "C", "D", "E"));
            assertArrayEquals(new double[] {-1.9, -0.2, Double.NEGATIVE_INFINITY, -4.5, Double.NEGATIVE_INFINITY},
                    lp, 0.0);
            var b = s.calls().getFirst().body();
            assertTrue(b.get("logprobs").asBoolean());
            assertEquals(20, b.get("top_logprobs").asInt());
            assertEquals(1, b.get("max_tokens").asInt());
            assertEquals(0.0, b.get("temperature").asDouble());
        }
    }

    @Test
    void sameTextListedTwiceSumsItsProbabilities() throws IOException {
        var top = List.of(Map.entry("A", Math.log(0.3)), Map.entry("B", Math.log(0.25)),
                Map.entry("A", Math.log(0.2)));
        try (var s = new ScriptedOpenAiServer(c -> logprobs(top))) {
            var m = client(s).build();
            double[] lp = m.candidateLogprobs(ask("q"), List.of("A", "B"));
            assertEquals(Math.log(0.5), lp[0], 1e-12);
            assertEquals(Math.log(0.25), lp[1], 1e-12);
        }
    }

    @Test
    void assistantPrefixIsContinuedWithVllmFlags() throws IOException {
        try (var s = new ScriptedOpenAiServer(c -> text("B]"))) {
            var m = client(s).build();
            var req = new ChatRequest(List.of(ChatMessage.user("q")), SamplingSettings.greedy(3), List.of(), false,
                    "Answer: [");
            m.chat(req, null);
            var b = s.calls().getFirst().body();
            var msgs = b.get("messages");
            assertEquals(2, msgs.size());
            assertEquals("assistant", msgs.get(1).get("role").asText());
            assertEquals("Answer: [", msgs.get(1).get("content").asText());
            assertTrue(b.get("continue_final_message").asBoolean());
            assertFalse(b.get("add_generation_prompt").asBoolean());
        }
    }

    @Test
    void modelIsDiscoveredFromV1ModelsWhenNotGiven() throws IOException {
        try (var s = new ScriptedOpenAiServer(c -> text("x"))) {
            s.setModels(List.of("Llama3.1-Aloe-Beta-8B", "other"));
            var m = OpenAiCompatibleModel.builder(s.url() + "/v1").retry(FAST).build();
            assertEquals("Llama3.1-Aloe-Beta-8B", m.name());
            assertEquals(ModelFamily.LLAMA, m.family());
            m.chat(ask("q"), null);
            var calls = s.calls();
            assertEquals("/v1/models", calls.getFirst().path());
            assertEquals("Llama3.1-Aloe-Beta-8B", calls.getLast().body().get("model").asText());
            assertEquals(2, calls.size(), "the model list is asked once");
        }
    }

    @Test
    void baseUrlsAreNormalised() {
        assertEquals("http://h:8000/", OpenAiCompatibleModel.normaliseBase("http://h:8000").toString());
        assertEquals("http://h:8000/", OpenAiCompatibleModel.normaliseBase("http://h:8000/v1/").toString());
        assertEquals("https://h/proxy/", OpenAiCompatibleModel.normaliseBase("https://h/proxy/v1").toString());
        assertThrows(IllegalArgumentException.class, () -> OpenAiCompatibleModel.normaliseBase("h:8000"));
        assertThrows(IllegalArgumentException.class, () -> OpenAiCompatibleModel.normaliseBase("ftp://h/"));
    }
}
