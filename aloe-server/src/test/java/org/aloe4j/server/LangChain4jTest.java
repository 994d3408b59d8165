package org.aloe4j.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** LangChain4j's OpenAI chat models (blocking and streaming) against the server. */
class LangChain4jTest {

    private static ChatRequest request() {
        return ChatRequest.builder()
                .messages(SystemMessage.from("You are a careful clinical assistant."),
                        UserMessage.from("Which vaccine schedule applies to a healthy 65-year-old?"))
                .build();
    }

    @Test
    void blockingAndStreamingModelsGiveTheSameSeededAnswer() throws Exception {
        String base = TestServers.shared().baseUrl();
        OpenAiChatModel blocking = OpenAiChatModel.builder().baseUrl(base).apiKey(TestServers.KEY)
                .modelName(TestServers.MODEL).temperature(0.7).seed(7).maxTokens(10).maxRetries(0)
                .timeout(Duration.ofSeconds(60)).build();
        ChatResponse whole = blocking.chat(request());
        String text = whole.aiMessage().text();
        assertFalse(text == null || text.isEmpty());
        assertEquals(10, whole.tokenUsage().outputTokenCount());
        assertTrue(whole.tokenUsage().inputTokenCount() > 10);

        OpenAiStreamingChatModel streaming = OpenAiStreamingChatModel.builder().baseUrl(base).apiKey(TestServers.KEY)
                .modelName(TestServers.MODEL).temperature(0.7).seed(7).maxTokens(10)
                .timeout(Duration.ofSeconds(60)).build();
        StringBuilder partial = new StringBuilder();
        int[] pieces = {0};
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        streaming.chat(request(), new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String piece) {
                pieces[0]++;
                partial.append(piece);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse streamed = done.get(60, TimeUnit.SECONDS);
        assertEquals(text, partial.toString());
        assertEquals(text, streamed.aiMessage().text());
        assertTrue(pieces[0] >= 2, "streamed in " + pieces[0] + " pieces");
        assertEquals(whole.tokenUsage().inputTokenCount(), streamed.tokenUsage().inputTokenCount());
    }
}
