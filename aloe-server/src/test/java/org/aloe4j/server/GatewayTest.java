package org.aloe4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.aloe4j.generation.AloeDefaults;
import org.aloe4j.remote.OpenAiCompatibleModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * {@code aloe serve --backend URL}: a second server in front of the first (standing in for vLLM), with the same API,
 * Aloe's defaults, retrieval ({@code --rag}) and CORS configured.
 */
class GatewayTest {
    private static final String ORIGIN = "https://clinic.example";
    private static AloeServer gateway;
    private static OpenAIClient client;
    private static final AtomicReference<String> lastQuestion = new AtomicReference<>();

    @BeforeAll
    static void start() {
        AloeServer upstream = TestServers.shared();
        OpenAiCompatibleModel remote = OpenAiCompatibleModel.builder(upstream.baseUrl())
                .apiKey(TestServers.KEY).backendModel(TestServers.MODEL)
                .streamMode(OpenAiCompatibleModel.StreamMode.ALWAYS).build();
        Grounding grounding = question -> {
            lastQuestion.set(question);
            if (!question.contains("thyroid")) {
                return new Grounding.Context("", List.of());
            }
            return new Grounding.Context("Use the numbered passages below to answer.\n\n[1] (thyroid.md, chunk 1)\n"
                    + "Primary hypothyroidism is treated with levothyroxine.",
                    List.of(new Grounding.Source(1, "thyroid.md, chunk 1", "/docs/thyroid.md", 0.83)));
        };
        gateway = AloeServer.start(new RemoteBackend(remote, "aloe-gateway", 4, 8),
                ServerOptions.defaults(0).withCors(ORIGIN).withGrounding(grounding, 1));
        client = OpenAIOkHttpClient.builder().baseUrl(gateway.baseUrl()).apiKey("unused").maxRetries(0).build();
    }

    @AfterAll
    static void stop() {
        if (gateway != null) {
            gateway.close();
        }
    }

    private static ChatCompletionCreateParams.Builder question(String text) {
        return ChatCompletionCreateParams.builder().model("aloe-gateway").addUserMessage(text)
                .maxCompletionTokens(8).temperature(0.9).seed(3);
    }

    @Test
    void theGatewayAnswersLikeTheServerBehindIt() throws Exception {
        ChatCompletion direct = OpenAIOkHttpClient.builder().baseUrl(TestServers.shared().baseUrl())
                .apiKey(TestServers.KEY).maxRetries(0).build().chat().completions()
                .create(question("Is aspirin an NSAID?").model(TestServers.MODEL).build());
        ChatCompletion via = client.chat().completions().create(question("Is aspirin an NSAID?").build());
        assertEquals("aloe-gateway", via.model());
        // Aloe's system prompt was added by the gateway: same prompt, same seed, same answer
        assertEquals(direct.choices().getFirst().message().content(), via.choices().getFirst().message().content());
        assertEquals(direct.usage().orElseThrow().promptTokens(), via.usage().orElseThrow().promptTokens());

        StringBuilder streamed = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> s = client.chat().completions()
                .createStreaming(question("Is aspirin an NSAID?").build())) {
            s.stream().forEach(c -> c.choices().forEach(ch -> ch.delta().content().ifPresent(streamed::append)));
        }
        assertEquals(via.choices().getFirst().message().content().orElseThrow(), streamed.toString());

        ChatCompletion two = client.chat().completions().create(question("Is aspirin an NSAID?").n(2L).build());
        assertEquals(2, two.choices().size());
        assertEquals(16, two.usage().orElseThrow().completionTokens());

        Executable logprobs = () -> client.chat().completions().create(question("x").logprobs(true).build());
        BadRequestException refused = org.junit.jupiter.api.Assertions.assertThrows(BadRequestException.class, logprobs);
        assertEquals("unsupported_parameter", refused.code().orElseThrow());
    }

    @Test
    void retrievalGroundsTheAnswerAndListsItsSources() throws Exception {
        Http.Reply plain = Http.post(gateway, "/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"Is aspirin an NSAID?\"}],\"max_tokens\":2}", null);
        assertTrue(plain.json().path("sources").isMissingNode());
        Http.Reply grounded = Http.post(gateway, "/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"How is an underactive thyroid treated?\"}],\"max_tokens\":2}", null);
        assertEquals(200, grounded.status(), grounded.body());
        JsonNode body = grounded.json();
        assertEquals("How is an underactive thyroid treated?", lastQuestion.get());
        String content = body.get("choices").get(0).get("message").get("content").asText();
        assertTrue(content.endsWith("\n\nSources:\n[1] thyroid.md, chunk 1"), content);
        assertEquals("thyroid.md, chunk 1", body.get("sources").get(0).get("label").asText());
        assertEquals(0.83, body.get("sources").get(0).get("score").asDouble());
        assertEquals(AloeDefaults.NOTICE, body.get("notice").asText());
        // the passages went into the system prompt: the prompt grew by their tokens
        int plainPrompt = plain.json().get("usage").get("prompt_tokens").asInt();
        int groundedPrompt = body.get("usage").get("prompt_tokens").asInt();
        assertTrue(groundedPrompt > plainPrompt + 15, plainPrompt + " -> " + groundedPrompt);

        // streamed: the sources come as the last content delta, and in the finishing chunk
        StringBuilder streamed = new StringBuilder();
        AtomicReference<String> label = new AtomicReference<>();
        HttpResponse<java.util.stream.Stream<String>> r = Http.CLIENT.send(HttpRequest.newBuilder(
                        URI.create(gateway.baseUrl() + "/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"stream\":true,\"messages\":[{\"role\":\"user\","
                        + "\"content\":\"thyroid dose?\"}],\"max_tokens\":2}")).build(),
                HttpResponse.BodyHandlers.ofLines());
        for (String l : r.body().filter(line -> line.startsWith("data: {")).toList()) {
            JsonNode chunk = Http.JSON.readTree(l.substring(6));
            chunk.get("choices").forEach(c -> streamed.append(c.path("delta").path("content").asText("")));
            if (chunk.has("sources")) {
                label.set(chunk.get("sources").get(0).get("label").asText());
            }
        }
        assertTrue(streamed.toString().endsWith("\n\nSources:\n[1] thyroid.md, chunk 1"), streamed.toString());
        assertEquals("thyroid.md, chunk 1", label.get());
    }

    @Test
    void corsAllowsOnlyTheConfiguredOrigin() throws Exception {
        HttpResponse<String> preflight = Http.CLIENT.send(HttpRequest.newBuilder(
                        URI.create(gateway.baseUrl() + "/chat/completions"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", ORIGIN).header("Access-Control-Request-Method", "POST").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(204, preflight.statusCode());
        assertEquals(ORIGIN, preflight.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        assertTrue(preflight.headers().firstValue("Access-Control-Allow-Headers").orElseThrow().contains("Authorization"));
        HttpResponse<String> other = Http.CLIENT.send(HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/models"))
                .header("Origin", "https://evil.example").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, other.statusCode());
        assertTrue(other.headers().firstValue("Access-Control-Allow-Origin").isEmpty());
    }
}
