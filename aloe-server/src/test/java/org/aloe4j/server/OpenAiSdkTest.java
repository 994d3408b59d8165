package org.aloe4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionTokenLogprob;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.completions.CompletionUsage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.aloe4j.generation.AloeDefaults;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The official OpenAI Java SDK against the server, streaming and not. */
class OpenAiSdkTest {
    private static OpenAIClient client;

    @BeforeAll
    static void connect() {
        AloeServer server = TestServers.shared();
        client = OpenAIOkHttpClient.builder().baseUrl(server.baseUrl()).apiKey(TestServers.KEY).maxRetries(0)
                .timeout(Duration.ofSeconds(60)).build();
    }

    private static ChatCompletionCreateParams.Builder question() {
        return ChatCompletionCreateParams.builder()
                .model(TestServers.MODEL)
                .addUserMessage("What are the first-line treatments for community-acquired pneumonia?")
                .maxCompletionTokens(12)
                .temperature(0.8)
                .seed(42);
    }

    @Test
    void chatStreamedAndNotGiveTheSameSeededAnswer() {
        ChatCompletion whole = client.chat().completions().create(question().build());
        assertEquals(1, whole.choices().size());
        String text = whole.choices().getFirst().message().content().orElseThrow();
        assertFalse(text.isEmpty());
        assertEquals(ChatCompletion.Choice.FinishReason.LENGTH, whole.choices().getFirst().finishReason());
        CompletionUsage usage = whole.usage().orElseThrow();
        assertEquals(12, usage.completionTokens());
        assertEquals(usage.promptTokens() + 12, usage.totalTokens());
        assertEquals(TestServers.MODEL, whole.model());

        StringBuilder streamed = new StringBuilder();
        List<String> finishReasons = new ArrayList<>();
        AtomicReference<CompletionUsage> streamedUsage = new AtomicReference<>();
        int[] chunks = {0};
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(question()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
            stream.stream().forEach(chunk -> {
                chunks[0]++;
                chunk.usage().ifPresent(streamedUsage::set);
                for (ChatCompletionChunk.Choice c : chunk.choices()) {
                    c.delta().content().ifPresent(streamed::append);
                    c.finishReason().ifPresent(r -> finishReasons.add(r.asString()));
                }
            });
        }
        assertEquals(text, streamed.toString());
        assertEquals(List.of("length"), finishReasons);
        assertEquals(usage.promptTokens(), streamedUsage.get().promptTokens());
        assertEquals(12, streamedUsage.get().completionTokens());
        assertTrue(chunks[0] >= 3, "streamed in pieces: " + chunks[0] + " chunks");
    }

    @Test
    void aConversationWithoutSystemPromptGetsAloes() {
        ChatCompletion implicit = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(TestServers.MODEL).addUserMessage("Hello").maxCompletionTokens(1).build());
        ChatCompletion explicit = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(TestServers.MODEL).addSystemMessage(AloeDefaults.SYSTEM_PROMPT).addUserMessage("Hello")
                .maxCompletionTokens(1).build());
        ChatCompletion other = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(TestServers.MODEL).addSystemMessage("Be brief.").addUserMessage("Hello")
                .maxCompletionTokens(1).build());
        long implicitTokens = implicit.usage().orElseThrow().promptTokens();
        assertEquals(explicit.usage().orElseThrow().promptTokens(), implicitTokens);
        assertTrue(other.usage().orElseThrow().promptTokens() < implicitTokens - 20);
    }

    @Test
    void severalChoicesWithLogprobs() {
        ChatCompletion c = client.chat().completions().create(question().n(2L).logprobs(true).topLogprobs(3L)
                .maxCompletionTokens(6).putAdditionalBodyProperty("top_k", JsonValue.from(40)).build());
        assertEquals(2, c.choices().size());
        assertEquals(12, c.usage().orElseThrow().completionTokens()); // both choices
        for (ChatCompletion.Choice choice : c.choices()) {
            List<ChatCompletionTokenLogprob> content = choice.logprobs().orElseThrow().content().orElseThrow();
            assertEquals(6, content.size());
            StringBuilder joined = new StringBuilder();
            for (ChatCompletionTokenLogprob t : content) {
                joined.append(t.token());
                assertTrue(t.logprob() <= 0);
                assertEquals(3, t.topLogprobs().size());
                assertTrue(t.topLogprobs().get(0).logprob() >= t.topLogprobs().get(1).logprob());
                assertTrue(t.topLogprobs().get(0).logprob() >= t.logprob(), "the best alternative is at least as likely");
            }
            assertEquals(choice.message().content().orElseThrow(), joined.toString());
        }
        assertFalse(c.choices().get(0).message().content().equals(c.choices().get(1).message().content()),
                "two seeded choices differ");
    }

    @Test
    void legacyCompletionsStreamedAndNot() {
        CompletionCreateParams params = CompletionCreateParams.builder().model(TestServers.MODEL)
                .prompt("The patient presented with").maxTokens(8).temperature(0.0).build();
        Completion whole = client.completions().create(params);
        String text = whole.choices().getFirst().text();
        assertEquals(8, whole.usage().orElseThrow().completionTokens());
        StringBuilder streamed = new StringBuilder();
        try (StreamResponse<Completion> stream = client.completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(c -> streamed.append(c.text())));
        }
        assertEquals(text, streamed.toString());
    }

    @Test
    void modelsAndErrors() {
        assertEquals(List.of(TestServers.MODEL),
                client.models().list().data().stream().map(m -> m.id()).toList());
        NotFoundException unknown = assertThrows(NotFoundException.class, () -> client.chat().completions()
                .create(question().model("gpt-4o").build()));
        assertTrue(unknown.getMessage().contains("gpt-4o"), unknown.getMessage());
        BadRequestException range = assertThrows(BadRequestException.class, () -> client.chat().completions()
                .create(question().temperature(3.0).build()));
        assertEquals("temperature", range.param().orElseThrow());
        assertEquals("decimal_above_max_value", range.code().orElseThrow());
        OpenAIClient wrongKey = OpenAIOkHttpClient.builder().baseUrl(TestServers.shared().baseUrl())
                .apiKey("sk-wrong").maxRetries(0).build();
        assertThrows(UnauthorizedException.class, () -> wrongKey.chat().completions().create(question().build()));
        // and the server still answers
        assertFalse(client.chat().completions().create(question().build()).choices().isEmpty());
    }
}
