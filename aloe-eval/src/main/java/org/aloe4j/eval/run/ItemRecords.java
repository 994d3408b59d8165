package org.aloe4j.eval.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.aloe4j.eval.data.Question;
import org.aloe4j.eval.method.Attempt;
import org.aloe4j.eval.method.ItemOutcome;
import org.aloe4j.generation.ChatMessage;

/**
 * The {@code generations.jsonl} record of one item: {@code id, subject, gold, pred, correct, draw, votes,
 * unparsed_runs, attempts_total, tokens {prompt, completion}, seconds}, the distinct prompts sent
 * ({@code prompts}: lists of {role, content}) and every attempt ({@code sample, attempt, prompt} (index into
 * prompts), {@code temperature, max_tokens, seed, output, parsed, finish, prompt_tokens, completion_tokens,
 * seconds}), and for loglik the letters' {@code logprobs} (null = not among the server's top log-probabilities).
 * A method's {@code details} (e.g. Medprompt's trace) come last, as the method gave them.
 * An item whose request was refused ({@code error}) has pred null and counts as wrong.
 */
public final class ItemRecords {
    private ItemRecords() {}

    static final ObjectMapper JSON = new ObjectMapper();

    public static ObjectNode of(Question q, ItemOutcome o, double seconds) {
        ObjectNode r = base(q);
        r.put("pred", o.pred());
        r.put("correct", q.gold().equals(o.pred()));
        r.put("draw", o.draw());
        ObjectNode votes = r.putObject("votes");
        o.votes().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                .forEach(e -> votes.put(e.getKey(), e.getValue()));
        r.put("unparsed_runs", o.unparsedRuns());
        r.put("attempts_total", o.attempts().size());
        r.putObject("tokens").put("prompt", o.promptTokens()).put("completion", o.completionTokens());
        r.put("seconds", seconds);
        if (!o.logprobs().isEmpty()) {
            ObjectNode lp = r.putObject("logprobs");
            o.logprobs().forEach((k, v) -> {
                if (Double.isFinite(v)) {
                    lp.put(k, v);
                } else {
                    lp.putNull(k);
                }
            });
        }
        List<List<ChatMessage>> prompts = new ArrayList<>();
        ArrayNode attempts = JSON.createArrayNode();
        for (Attempt a : o.attempts()) {
            int idx = prompts.indexOf(a.messages());
            if (idx < 0) {
                prompts.add(a.messages());
                idx = prompts.size() - 1;
            }
            ObjectNode an = attempts.addObject();
            an.put("sample", a.sample()).put("attempt", a.attempt()).put("prompt", idx)
                    .put("temperature", a.temperature()).put("max_tokens", a.maxTokens());
            if (a.seed() != null) {
                an.put("seed", a.seed());
            }
            an.put("output", a.output()).put("parsed", a.parsed()).put("finish", a.finishReason())
                    .put("prompt_tokens", a.promptTokens()).put("completion_tokens", a.completionTokens())
                    .put("seconds", a.seconds());
        }
        ArrayNode ps = r.putArray("prompts");
        for (List<ChatMessage> p : prompts) {
            ArrayNode msgs = ps.addArray();
            p.forEach(m -> msgs.addObject().put("role", m.role()).put("content", m.content()));
        }
        r.set("attempts", attempts);
        if (o.details() != null) {
            r.set("details", o.details());
        }
        return r;
    }

    /** An item the server refused (e.g. HTTP 400: prompt too long): wrong, with the error kept. */
    public static ObjectNode failed(Question q, String error, double seconds) {
        ObjectNode r = base(q);
        r.putNull("pred");
        r.put("correct", false);
        r.put("draw", false);
        r.put("error", error);
        r.put("seconds", seconds);
        r.putObject("tokens").put("prompt", 0).put("completion", 0);
        return r;
    }

    private static ObjectNode base(Question q) {
        ObjectNode r = JSON.createObjectNode();
        r.put("id", q.id());
        r.put("subject", q.subject());
        r.put("gold", q.gold());
        return r;
    }

    static boolean correct(JsonNode r) {
        return r.path("correct").asBoolean(false);
    }
}
