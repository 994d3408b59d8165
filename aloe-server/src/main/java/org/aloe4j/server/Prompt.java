package org.aloe4j.server;

import java.util.List;
import org.aloe4j.generation.ChatMessage;

/** What a generation continues: a conversation (rendered with the model's chat template), raw text, or token ids. */
public sealed interface Prompt {

    /** A conversation, already with its system prompt (the pipeline adds the default one before the backend). */
    record Chat(List<ChatMessage> messages) implements Prompt {
        public Chat {
            messages = List.copyOf(messages);
        }
    }

    /** A raw prompt, no chat template; special-token text in it is parsed (like llama.cpp and vLLM do). */
    record Text(String text) implements Prompt {}

    /** Token ids given by the client ({@code /v1/completions} accepts them). */
    record Tokens(int[] ids) implements Prompt {}
}
