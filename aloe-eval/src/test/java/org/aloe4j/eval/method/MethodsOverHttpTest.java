package org.aloe4j.eval.method;

import static org.aloe4j.remote.ScriptedOpenAiServer.logprobs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aloe4j.eval.data.Question;
import org.aloe4j.remote.OpenAiCompatibleModel;
import org.aloe4j.remote.RetryPolicy;
import org.aloe4j.remote.ScriptedOpenAiServer;
import org.junit.jupiter.api.Test;

/** The methods driven through OpenAiCompatibleModel against a scripted HTTP server. */
class MethodsOverHttpTest {

    private static Question q(String marker, String gold) {
        return new Question(marker, "s", "", "Question " + marker + "?", List.of("w", "x", "y", "z"), gold);
    }

    private static OpenAiCompatibleModel model(ScriptedOpenAiServer s, String name) {
        return OpenAiCompatibleModel.builder(s.url()).backendModel(name)
                .retry(new RetryPolicy(0, Duration.ZERO, Duration.ZERO)).build();
    }

    private static List<ScriptedOpenAiServer.Call> callsFor(ScriptedOpenAiServer s, String marker) {
        return s.calls().stream().filter(c -> c.lastUser() != null && c.lastUser().contains(marker)).toList();
    }

    @Test
    void cotRetriesUnparsableRepliesWithHotterLongerRequests() throws IOException {
        var script = new ScriptedReplies()
                .texts("[q1]", "I am not sure.", "Hmm, maybe x\nAnswer: x", "Reasoning...\nAnswer: [C]")
                .texts("[q2]", "no", "no", "no");
        try (var s = new ScriptedOpenAiServer(script)) {
            var m = model(s, "m");
            var opts = new MethodOptions(null, null, null, 1, 3, 0, null);
            ItemOutcome o = new CotMethod(opts).answer(m, q("[q1]", "C"), List.of());
            assertEquals("C", o.pred());
            assertEquals(3, o.attempts().size());
            List<ScriptedOpenAiServer.Call> calls = callsFor(s, "[q1]");
            assertEquals(3, calls.size());
            assertEquals(0.0, calls.get(0).temperature(), 1e-12);
            assertEquals(0.05, calls.get(1).temperature(), 1e-12);
            assertEquals(0.10, calls.get(2).temperature(), 1e-12);
            assertEquals(1024, calls.get(0).maxTokens());
            assertEquals(1124, calls.get(1).maxTokens());
            assertEquals(1224, calls.get(2).maxTokens());
            assertEquals(List.of(0, 1, 2), o.attempts().stream().map(Attempt::attempt).toList());

            // every attempt unparsable: no answer, wrong, one unparsed run
            ItemOutcome none = new CotMethod(opts).answer(m, q("[q2]", "A"), List.of());
            assertNull(none.pred());
            assertEquals(1, none.unparsedRuns());
            assertEquals(3, callsFor(s, "[q2]").size());
        }
    }

    @Test
    void cotPromptHasTheQuestionOptionsFormatAndOurInstructions() throws IOException {
        var script = new ScriptedReplies().texts("[q1]", "\nAnswer: [A]");
        try (var s = new ScriptedOpenAiServer(script)) {
            new CotMethod(MethodOptions.defaults()).answer(model(s, "m"), q("[q1]", "A"), List.of());
            var msgs = s.calls().getFirst().body().get("messages");
            assertEquals("system", msgs.get(0).get("role").asText());
            assertEquals(McqPrompt.COT_INSTRUCTIONS, msgs.get(0).get("content").asText());
            assertEquals("Question [q1]?\nOptions:\nA. w\nB. x\nC. y\nD. z\n", msgs.get(1).get("content").asText());
        }
    }

    @Test
    void retryTemperatureStopsAtOne() throws IOException {
        var script = new ScriptedReplies().texts("[q1]", "a", "b", "c", "\nAnswer: [B]");
        try (var s = new ScriptedOpenAiServer(script)) {
            var opts = new MethodOptions(0.9, 200, null, 1, 10, 0, null);
            new ZeroShotMethod(opts).answer(model(s, "m"), q("[q1]", "B"), List.of());
            var temps = s.calls().stream().map(ScriptedOpenAiServer.Call::temperature).toList();
            assertEquals(4, temps.size());
            assertEquals(0.9, temps.get(0), 1e-12);
            assertEquals(0.95, temps.get(1), 1e-12);
            assertEquals(1.0, temps.get(2), 0.0);
            assertEquals(1.0, temps.get(3), 0.0);
            assertEquals(List.of(200, 300, 400, 500), s.calls().stream().map(ScriptedOpenAiServer.Call::maxTokens)
                    .toList());
        }
    }

    @Test
    void selfConsistencyVotesWithTheTieRuleAndCountsDraws() throws IOException {
        var script = new ScriptedReplies()
                // runs in order: A B B A C -> tie A/B; B reached 2 first
                .texts("[t1]", "\nAnswer: [A]", "\nAnswer: [B]", "\nAnswer: [B]", "\nAnswer: [A]", "\nAnswer: [C]")
                // run 0 needs a retry, so it votes last: B A B C A -> B reaches 2 at the 3rd vote
                .texts("[t2]", "??", "\nAnswer: [A]", "\nAnswer: [B]", "\nAnswer: [A]", "\nAnswer: [B]",
                        "\nAnswer: [C]")
                // clear majority
                .texts("[t3]", "\nAnswer: [C]", "\nAnswer: [C]", "\nAnswer: [D]", "\nAnswer: [C]", "\nAnswer: [A]");
        try (var s = new ScriptedOpenAiServer(script)) {
            var m = model(s, "Qwen2.5-Aloe-Beta-7B");
            var opts = MethodOptions.defaults().withSamples(5).withSeed(11L);
            var method = new SelfConsistencyCotMethod(opts);

            ItemOutcome t1 = method.answer(m, q("[t1]", "B"), List.of());
            assertEquals("B", t1.pred());
            assertTrue(t1.draw());
            assertEquals(Map.of("A", 2, "B", 2, "C", 1), t1.votes());

            ItemOutcome t2 = method.answer(m, q("[t2]", "A"), List.of());
            assertEquals("B", t2.pred(), "the retried run votes after the runs answered at once");
            assertTrue(t2.draw());
            assertEquals(6, t2.attempts().size());

            ItemOutcome t3 = method.answer(m, q("[t3]", "C"), List.of());
            assertEquals("C", t3.pred());
            assertFalse(t3.draw());

            // sampling: Qwen model card (0.7, top_p 0.8, top_k 20, repetition 1.05), 1024 tokens, seeded per run
            var first = callsFor(s, "[t1]").getFirst().body();
            assertEquals(0.7, first.get("temperature").asDouble(), 1e-12);
            assertEquals(0.8, first.get("top_p").asDouble(), 1e-12);
            assertEquals(20, first.get("top_k").asInt());
            assertEquals(1.05, first.get("repetition_penalty").asDouble(), 1e-12);
            assertEquals(1024, first.get("max_tokens").asInt());
            var seeds = callsFor(s, "[t1]").stream().map(c -> c.body().get("seed").asLong()).distinct().count();
            assertEquals(5, seeds, "each run has its own seed");
            // the retry of t2's run 0 went out hotter and longer
            var t2calls = callsFor(s, "[t2]");
            assertEquals(0.75, t2calls.get(1).temperature(), 1e-12);
            assertEquals(1124, t2calls.get(1).maxTokens());
        }
        // prompt_engine's own rule picks the first seen of the tied answers
        var again = new ScriptedReplies()
                .texts("[t1]", "\nAnswer: [A]", "\nAnswer: [B]", "\nAnswer: [B]", "\nAnswer: [A]", "\nAnswer: [C]");
        try (var s = new ScriptedOpenAiServer(again)) {
            var opts = MethodOptions.defaults().withSamples(5).withTieBreak(TieBreak.FIRST_SEEN);
            assertEquals("A", new SelfConsistencyCotMethod(opts).answer(model(s, "m"), q("[t1]", "B"), List.of())
                    .pred());
        }
    }

    @Test
    void loglikPicksTheMostLikelyLetterFromTheTopLogprobs() throws IOException {
        Map<String, Double> q1 = new LinkedHashMap<>();
        q1.put("B", -0.3);
        q1.put("A", -1.6);
        q1.put("C", -2.9);
        q1.put("The", -3.0);
        Map<String, Double> q2 = new LinkedHashMap<>();
        q2.put(" A", -0.2); // a leading space is another token
        q2.put("The", -1.9);
        Map<String, Double> q3 = new LinkedHashMap<>();
        q3.put("I", -0.5);
        q3.put("D", -1.2);
        var script = new ScriptedReplies().on("[l1]", logprobs(q1)).on("[l2]", logprobs(q2)).on("[l3]", logprobs(q3));
        try (var s = new ScriptedOpenAiServer(script)) {
            var m = model(s, "m");
            var method = new LoglikMethod(MethodOptions.defaults());
            ItemOutcome o1 = method.answer(m, q("[l1]", "B"), List.of());
            assertEquals("B", o1.pred());
            assertEquals(-1.6, o1.logprobs().get("A"), 0.0);
            assertEquals(Double.NEGATIVE_INFINITY, o1.logprobs().get("D"), 0.0);
            ItemOutcome o2 = method.answer(m, q("[l2]", "A"), List.of());
            assertNull(o2.pred(), "no letter among the top log-probabilities");
            assertEquals(1, o2.unparsedRuns());
            assertEquals("D", method.answer(m, q("[l3]", "C"), List.of()).pred());
            var body = s.calls().getFirst().body();
            assertTrue(body.get("logprobs").asBoolean());
            assertEquals(20, body.get("top_logprobs").asInt());
            assertEquals(1, body.get("max_tokens").asInt());
            assertEquals(McqPrompt.LOGLIK_INSTRUCTIONS, body.get("messages").get(0).get("content").asText());
        }
    }

    @Test
    void shotsPutExemplarsAsChatTurnsBeforeTheQuestion() throws IOException {
        var script = new ScriptedReplies().texts("[q9]", "\nAnswer: [D]");
        try (var s = new ScriptedOpenAiServer(script)) {
            var ex = List.of(new Question("e1", "s", "", "Ex one?", List.of("a", "b", "c", "d"), "C"),
                    new Question("e2", "s", "", "Ex two?", List.of("a", "b", "c", "d"), "A"),
                    new Question("e3", "s", "", "Ex three?", List.of("a", "b", "c", "d"), "B"));
            new ZeroShotMethod(MethodOptions.defaults().withShots(2)).answer(model(s, "m"), q("[q9]", "D"), ex);
            var msgs = s.calls().getFirst().body().get("messages");
            assertEquals(6, msgs.size());
            assertEquals("Ex one?\nOptions:\nA. a\nB. b\nC. c\nD. d\n", msgs.get(1).get("content").asText());
            assertEquals("Answer: [C]", msgs.get(2).get("content").asText());
            assertEquals("assistant", msgs.get(4).get("role").asText());
            assertEquals("Answer: [A]", msgs.get(4).get("content").asText());
        }
    }

    @Test
    void pubmedqaPromptPutsTheAbstractFirst() {
        Question p = new Question("1", "pubmedqa", "Background one.\nResults two.", "Does it work?",
                List.of("yes", "no", "maybe"), "A");
        assertEquals("Abstract: Background one.\nResults two.\nQuestion: Does it work?\nOptions:\nA. yes\nB. no\n"
                + "C. maybe\n", McqPrompt.describe(p));
        Question padded = new Question("2", "", "", "Q", List.of(" x \n", "\ny"), "A");
        assertEquals("Q\nOptions:\nA. x\nB. y\n", McqPrompt.describe(padded));
    }

    @Test
    void unknownMethodNamesSayWhatExists() {
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> EvalMethods.create("medprompt", MethodOptions.defaults()));
        assertTrue(e.getMessage().contains("aloe-rag"), e.getMessage());
        assertTrue(e.getMessage().contains("loglik, zero-shot, cot, sc-cot"), e.getMessage());
        assertEquals("sc-cot", EvalMethods.create("sc-cot", MethodOptions.defaults()).name());
    }
}
