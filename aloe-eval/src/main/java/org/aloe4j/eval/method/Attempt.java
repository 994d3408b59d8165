package org.aloe4j.eval.method;

import java.util.List;
import org.aloe4j.generation.ChatMessage;

/**
 * One call to the model: which run ({@code sample}) and which try of it ({@code attempt}, 0-based), the messages
 * and settings sent, the raw reply, the letter parsed from it (null = unparsable) and the token counts.
 */
public record Attempt(int sample, int attempt, List<ChatMessage> messages, double temperature, int maxTokens,
                      Long seed, String output, String parsed, String finishReason, int promptTokens,
                      int completionTokens, double seconds) {

    public Attempt {
        messages = List.copyOf(messages);
    }
}
