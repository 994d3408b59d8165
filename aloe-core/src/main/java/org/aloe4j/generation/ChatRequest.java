package org.aloe4j.generation;

import java.util.List;

/**
 * A conversation to answer. When {@code messages} has no system message, the model's default system prompt
 * ({@link AloeDefaults#SYSTEM_PROMPT} for Aloe) is put first unless {@code useDefaultSystemPrompt} is false.
 * {@code sampling} null means the model card's defaults for the model's family.
 * {@code assistantPrefix} is text the reply is forced to start with (rendered after the generation prompt).
 */
public record ChatRequest(List<ChatMessage> messages, SamplingSettings sampling, List<String> stop,
                          boolean useDefaultSystemPrompt, String assistantPrefix) {

    public ChatRequest {
        messages = List.copyOf(messages);
        stop = stop == null ? List.of() : List.copyOf(stop);
        assistantPrefix = assistantPrefix == null ? "" : assistantPrefix;
    }

    public static ChatRequest of(List<ChatMessage> messages) {
        return new ChatRequest(messages, null, List.of(), true, "");
    }

    public ChatRequest withSampling(SamplingSettings s) {
        return new ChatRequest(messages, s, stop, useDefaultSystemPrompt, assistantPrefix);
    }

    /**
     * The messages as the model should see them: with {@code defaultSystemPrompt} first when the conversation has
     * no system message and {@link #useDefaultSystemPrompt} is set.
     */
    public List<ChatMessage> effectiveMessages(String defaultSystemPrompt) {
        boolean hasSystem = messages.stream().anyMatch(m -> m.role().equals("system"));
        if (hasSystem || !useDefaultSystemPrompt || defaultSystemPrompt == null) {
            return messages;
        }
        List<ChatMessage> out = new java.util.ArrayList<>(messages.size() + 1);
        out.add(ChatMessage.system(defaultSystemPrompt));
        out.addAll(messages);
        return List.copyOf(out);
    }

    public ChatRequest withStop(List<String> stopStrings) {
        return new ChatRequest(messages, sampling, stopStrings, useDefaultSystemPrompt, assistantPrefix);
    }
}
