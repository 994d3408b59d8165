package org.aloe4j.eval.method;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.aloe4j.remote.ScriptedOpenAiServer;
import org.aloe4j.remote.ScriptedOpenAiServer.Call;
import org.aloe4j.remote.ScriptedOpenAiServer.Reply;

/**
 * Deterministic replies per question: each question's replies are given in the order its calls will come; the
 * question is recognised by a marker in the last user message (e.g. "[q3]"). Thread-safe, so items can run
 * concurrently.
 */
public final class ScriptedReplies implements Function<Call, Reply> {

    private final Map<String, Deque<Reply>> byMarker = new HashMap<>();

    public ScriptedReplies on(String marker, Reply... replies) {
        byMarker.computeIfAbsent(marker, k -> new ArrayDeque<>()).addAll(List.of(replies));
        return this;
    }

    /** Replies of text for a marker. */
    public ScriptedReplies texts(String marker, String... texts) {
        for (String t : texts) {
            on(marker, ScriptedOpenAiServer.text(t));
        }
        return this;
    }

    @Override
    public synchronized Reply apply(Call call) {
        String user = call.lastUser();
        for (var e : byMarker.entrySet()) {
            if (user != null && user.contains(e.getKey())) {
                Reply r = e.getValue().poll();
                if (r == null) {
                    throw new IllegalStateException("no more scripted replies for " + e.getKey());
                }
                return r;
            }
        }
        throw new IllegalStateException("no script for: " + user);
    }

    public synchronized int remaining(String marker) {
        return byMarker.get(marker).size();
    }
}
