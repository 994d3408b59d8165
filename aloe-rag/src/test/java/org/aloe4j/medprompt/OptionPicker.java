package org.aloe4j.medprompt;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.aloe4j.generation.ChatMessage;
import org.aloe4j.remote.ScriptedOpenAiServer;

/**
 * A deterministic stand-in for a model's choices: for each question (recognised by the start of the last user turn),
 * the replies in the order its calls come, each one a function of the options as shown. {@link #text} answers the
 * option with that text whatever letter it is shown under; {@link #letter} always answers one letter (position
 * bias); {@link #garbage} gives no parsable answer. Thread-safe.
 */
final class OptionPicker implements Function<List<ChatMessage>, String> {

    interface Step extends Function<ShownQuestion, String> {}

    static Step text(String optionText) {
        return shown -> "Weighing each option in turn, " + optionText + " fits the findings best.\nAnswer: ["
                + shown.letterOf(optionText) + "]";
    }

    static Step letter(String letter) {
        return shown -> "I will go with the option shown as " + letter + ".\nAnswer: [" + letter + "]";
    }

    static Step garbage() {
        return shown -> "It could be several of these; I cannot decide.";
    }

    static Step raw(String reply) {
        return shown -> reply;
    }

    /** The server answers with this HTTP error instead of a reply (see {@link #overHttp}). */
    static Step httpError(int status) {
        return shown -> {
            throw new HttpError(status);
        };
    }

    static final class HttpError extends RuntimeException {
        final int status;

        HttpError(int status) {
            super("scripted HTTP " + status, null, false, false);
            this.status = status;
        }
    }

    /** This script as the responder of a {@link ScriptedOpenAiServer}: the messages of the request in, a reply out. */
    Function<ScriptedOpenAiServer.Call, ScriptedOpenAiServer.Reply> overHttp() {
        return call -> {
            List<ChatMessage> messages = new java.util.ArrayList<>();
            for (var m : call.body().path("messages")) {
                messages.add(new ChatMessage(m.path("role").asText(), m.path("content").asText()));
            }
            try {
                return ScriptedOpenAiServer.text(apply(messages));
            } catch (HttpError e) {
                return ScriptedOpenAiServer.failure(e.status, "scripted refusal");
            }
        };
    }

    private final Map<String, Deque<Step>> byQuestion = new HashMap<>();

    OptionPicker on(String questionText, Step... steps) {
        byQuestion.computeIfAbsent(questionText, k -> new ArrayDeque<>()).addAll(List.of(steps));
        return this;
    }

    @Override
    public synchronized String apply(List<ChatMessage> messages) {
        String user = messages.getLast().content();
        ShownQuestion shown = ShownQuestion.parse(user);
        Deque<Step> steps = byQuestion.get(shown.question());
        if (steps == null) {
            throw new IllegalStateException("no script for: " + shown.question());
        }
        Step s = steps.poll();
        if (s == null) {
            throw new IllegalStateException("no more scripted replies for: " + shown.question());
        }
        return s.apply(shown);
    }

    synchronized int remaining(String questionText) {
        return byQuestion.get(questionText).size();
    }
}
