package org.aloe4j.medprompt;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import org.aloe4j.generation.ChatMessage;
import org.aloe4j.generation.ChatRequest;
import org.aloe4j.generation.FinishReason;
import org.aloe4j.generation.GenerationResult;
import org.aloe4j.generation.LanguageModel;
import org.aloe4j.generation.ModelFamily;
import org.aloe4j.generation.SamplingSettings;
import org.aloe4j.generation.TokenSink;
import org.aloe4j.generation.Usage;

/** An in-process {@link LanguageModel} whose replies come from a function of the conversation; records requests. */
final class FakeModel implements LanguageModel {

    private final Function<List<ChatMessage>, String> replies;
    private final List<ChatRequest> requests = Collections.synchronizedList(new ArrayList<>());

    FakeModel(Function<List<ChatMessage>, String> replies) {
        this.replies = replies;
    }

    List<ChatRequest> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public ModelFamily family() {
        return ModelFamily.QWEN2;
    }

    @Override
    public GenerationResult chat(ChatRequest request, TokenSink sink) {
        requests.add(request);
        String text = replies.apply(request.messages());
        return new GenerationResult(text, FinishReason.STOP, new Usage(100, text.length() / 4));
    }

    @Override
    public GenerationResult complete(String prompt, SamplingSettings sampling, List<String> stop, TokenSink sink) {
        throw new UnsupportedOperationException();
    }

    @Override
    public double[] candidateLogprobs(ChatRequest request, List<String> candidates) {
        throw new UnsupportedOperationException();
    }
}
