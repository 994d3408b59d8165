package org.aloe4j.medprompt;

import static org.aloe4j.medprompt.OptionPicker.garbage;
import static org.aloe4j.medprompt.OptionPicker.letter;
import static org.aloe4j.medprompt.OptionPicker.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.aloe4j.Fixtures;
import org.aloe4j.eval.data.Benchmark;
import org.aloe4j.eval.data.LoaderOptions;
import org.aloe4j.eval.data.Question;
import org.aloe4j.eval.method.EvalMethods;
import org.aloe4j.eval.method.MethodOptions;
import org.aloe4j.eval.method.TieBreak;
import org.aloe4j.eval.run.EvalRunner;
import org.aloe4j.eval.run.RunConfig;
import org.aloe4j.rag.embed.HashingEmbedder;
import org.aloe4j.rag.medprompt.Example;
import org.aloe4j.rag.medprompt.KnowledgeBase;
import org.aloe4j.rag.store.LuceneStore;
import org.aloe4j.remote.OpenAiCompatibleModel;
import org.aloe4j.remote.RetryPolicy;
import org.aloe4j.remote.ScriptedOpenAiServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: MedQA fixture questions answered by Medprompt through the eval runner, over HTTP, against a scripted
 * OpenAI-compatible server whose "model" picks options by their text (or, to mimic position bias, by letter). The
 * knowledge base holds the MedMCQA fixture questions as solved examples.
 */
class MedpromptOverHttpTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    static List<Question> medqa(int n) {
        Path file = Fixtures.file("medqa/medqa/phrases_no_exclude_test.first30.jsonl");
        return Benchmark.MEDQA.loader().load(file, LoaderOptions.defaults()).questions().subList(0, n);
    }

    static KnowledgeBase knowledgeBase(Path dir) {
        List<Question> solved = Benchmark.MEDMCQA.loader().load(Fixtures.file("medqa/medmcqa/dev.first30.json"),
                LoaderOptions.defaults()).questions();
        List<Example> examples = new ArrayList<>();
        for (Question s : solved) {
            LinkedHashMap<String, String> options = new LinkedHashMap<>();
            for (int i = 0; i < s.options().size(); i++) {
                options.put(Question.letter(i), s.options().get(i));
            }
            examples.add(new Example("medmcqa/" + s.id(), s.question(), options,
                    "The key finding points to " + s.options().get(s.goldIndex()) + ".\nAnswer: [" + s.gold() + "]",
                    s.gold()));
        }
        KnowledgeBase kb = new KnowledgeBase(LuceneStore.open(dir, 256), new HashingEmbedder(256));
        kb.add(examples);
        kb.commit();
        return kb;
    }

    static String option(Question q, int index) {
        return q.options().get(index);
    }

    @Test
    void everyMemberSeesAnotherOrderAndTheVoteIsRight() throws Exception {
        List<Question> qs = medqa(6);
        Question q0 = qs.get(0), q1 = qs.get(1), q2 = qs.get(2), q3 = qs.get(3), q4 = qs.get(4), q5 = qs.get(5);
        String gold0 = option(q0, q0.goldIndex());
        String gold2 = option(q2, q2.goldIndex()), wrong2 = option(q2, (q2.goldIndex() + 1) % 4);
        String gold3 = option(q3, q3.goldIndex()), wrong3 = option(q3, (q3.goldIndex() + 2) % 4);
        String gold4 = option(q4, q4.goldIndex()), wrong4 = option(q4, (q4.goldIndex() + 3) % 4);
        OptionPicker script = new OptionPicker()
                .on(q0.question(), text(gold0), text(gold0), text(gold0), text(gold0), text(gold0))
                // position bias: always "A", which shuffling turns into votes for different options
                .on(q1.question(), letter("A"), letter("A"), letter("A"), letter("A"), letter("A"))
                // a wrong majority wins: wrong
                .on(q2.question(), text(gold2), text(wrong2), text(wrong2), text(wrong2), text(gold2))
                // 2-2 tie (the fifth member never parses): gold reached 2 first, a correct draw
                .on(q3.question(), text(wrong3), text(gold3), text(gold3), text(wrong3), garbage(), garbage())
                // member 0 needs a retry and votes last: gold 3, wrong 2
                .on(q4.question(), garbage(), text(gold4), text(wrong4), text(wrong4), text(gold4), text(gold4))
                .on(q5.question(), letter("C"), letter("C"), letter("C"), letter("C"), letter("C"));
        Path out = dir.resolve("run");
        try (var server = new ScriptedOpenAiServer(script.overHttp());
                KnowledgeBase kb = knowledgeBase(dir.resolve("kb"));
                var model = OpenAiCompatibleModel.builder(server.url()).backendModel("Qwen2.5-Aloe-Beta-7B")
                        .retry(new RetryPolicy(0, Duration.ZERO, Duration.ZERO)).build()) {
            MethodOptions options = new MethodOptions(null, null, 2024L, 5, 2, 0, TieBreak.FIRST_TO_REACH_TOP);
            var method = new MedpromptMethod(kb, MedpromptMethod.settings(options), options);
            RunConfig cfg = new RunConfig(Benchmark.MEDQA,
                    Fixtures.file("medqa/medqa/phrases_no_exclude_test.first30.jsonl"), null, "medprompt", options, 6,
                    2, out, false, false);
            EvalRunner.Outcome outcome = EvalRunner.run(cfg, model, method, System.err);

            // every member of every question saw its own order of the same four options, with the same examples
            Map<String, List<ShownQuestion>> firstTries = new LinkedHashMap<>();
            Map<String, List<String>> fewShot = new LinkedHashMap<>();
            for (ScriptedOpenAiServer.Call c : server.calls()) {
                ShownQuestion s = ShownQuestion.parse(c.lastUser());
                List<ShownQuestion> seen = firstTries.computeIfAbsent(s.question(), k -> new ArrayList<>());
                if (seen.isEmpty() || !seen.getLast().options().equals(s.options())) { // a retry repeats the prompt
                    seen.add(s);
                }
                List<String> turns = new ArrayList<>();
                var msgs = c.body().get("messages");
                for (int i = 0; i < msgs.size() - 1; i++) {
                    turns.add(msgs.get(i).get("role").asText() + ":" + msgs.get(i).get("content").asText());
                }
                List<String> before = fewShot.putIfAbsent(s.question(), turns);
                assertTrue(before == null || before.equals(turns), "same system prompt and examples for all members");
            }
            for (Question q : qs) {
                List<ShownQuestion> seen = firstTries.get(q.question());
                assertEquals(5, seen.size(), q.id());
                Set<List<String>> orders = new HashSet<>();
                for (ShownQuestion s : seen) {
                    assertEquals(List.of("A", "B", "C", "D"), s.letters());
                    assertEquals(Set.copyOf(q.options().stream().map(String::strip).toList()), Set.copyOf(s.options()));
                    orders.add(s.options());
                }
                assertEquals(5, orders.size(), "five different option orders for " + q.id());
                assertEquals(1 + 2 * 5, fewShot.get(q.question()).size(), "system + 5 examples");
            }

            // the votes, worked out from what the server showed each member
            Map<String, JsonNode> records = new LinkedHashMap<>();
            for (String line : Files.readAllLines(out.resolve(EvalRunner.GENERATIONS))) {
                JsonNode r = JSON.readTree(line);
                records.put(r.get("id").asText(), r);
            }
            assertPred(records.get(q0.id()), q0.gold(), false, Map.of(q0.gold(), 5));
            assertPred(records.get(q1.id()), expectedPositionVote(q1, firstTries.get(q1.question()), "A"), null, null);
            String w2 = Question.letter((q2.goldIndex() + 1) % 4);
            assertPred(records.get(q2.id()), w2, false, Map.of(w2, 3, q2.gold(), 2));
            assertPred(records.get(q3.id()), q3.gold(), true,
                    Map.of(q3.gold(), 2, Question.letter((q3.goldIndex() + 2) % 4), 2));
            assertEquals(1, records.get(q3.id()).get("unparsed_runs").asInt());
            assertPred(records.get(q4.id()), q4.gold(), false,
                    Map.of(q4.gold(), 3, Question.letter((q4.goldIndex() + 3) % 4), 2));
            assertEquals(List.of(1, 2, 3, 4, 0), ints(records.get(q4.id()).get("details").get("vote_order")));
            assertPred(records.get(q5.id()), expectedPositionVote(q5, firstTries.get(q5.question()), "C"), null, null);

            // the trace: examples most similar last, each member's order as shown
            for (Question q : qs) {
                JsonNode d = records.get(q.id()).get("details");
                assertEquals(5, d.get("examples").size());
                for (int i = 1; i < 5; i++) {
                    assertTrue(d.get("examples").get(i - 1).get("similarity").asDouble()
                            <= d.get("examples").get(i).get("similarity").asDouble());
                }
                List<ShownQuestion> seen = firstTries.get(q.question());
                for (int m = 0; m < 5; m++) {
                    String order = d.get("runs").get(m).get("order").asText();
                    List<String> expected = order.chars().mapToObj(c -> q.options().get(c - 'A').strip()).toList();
                    assertEquals(expected, seen.get(m).options());
                }
            }
            long correct = qs.stream().filter(q -> records.get(q.id()).get("correct").asBoolean()).count();
            assertEquals(correct, outcome.results().get("correct").asLong());
            assertTrue(correct >= 3, "q0, q3 and q4 are right");
            assertFalse(records.get(q2.id()).get("correct").asBoolean());
        }
    }

    /** The vote of members that always answer {@code letter}: the original option shown there, first to the top. */
    private static String expectedPositionVote(Question q, List<ShownQuestion> seen, String letter) {
        List<String> votes = new ArrayList<>();
        for (ShownQuestion s : seen) {
            String text = s.textAt(letter);
            int index = q.options().stream().map(String::strip).toList().indexOf(text);
            votes.add(Question.letter(index));
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        votes.forEach(v -> counts.merge(v, 1, Integer::sum));
        int top = counts.values().stream().max(Integer::compare).orElseThrow();
        Map<String, Integer> running = new LinkedHashMap<>();
        for (String v : votes) {
            if (running.merge(v, 1, Integer::sum) == top) {
                return v;
            }
        }
        throw new AssertionError();
    }

    private static void assertPred(JsonNode record, String pred, Boolean draw, Map<String, Integer> votes) {
        assertEquals(pred, record.get("pred").asText(), record.get("id").asText());
        assertEquals(record.get("gold").asText().equals(pred), record.get("correct").asBoolean());
        if (draw != null) {
            assertEquals(draw, record.get("draw").asBoolean());
        }
        if (votes != null) {
            Map<String, Integer> got = new LinkedHashMap<>();
            record.get("votes").properties().forEach(e -> got.put(e.getKey(), e.getValue().asInt()));
            assertEquals(votes, got);
        }
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }

    @Test
    void theEvalFindsMedpromptThroughItsServiceAndAsksForAKnowledgeBase() {
        assertTrue(EvalMethods.names().contains("medprompt"), EvalMethods.names().toString());
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> EvalMethods.create("medprompt", MethodOptions.defaults()));
        assertTrue(e.getMessage().startsWith("medprompt needs a knowledge base: --kb INDEX"), e.getMessage());
        var tooMany = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> EvalMethods.create("medprompt", MethodOptions.defaults().withSamples(21)
                        .withParameter(MedpromptMethod.KB, dir.toString())));
        assertEquals("medprompt: the ensemble has 1..20 members, got 21", tooMany.getMessage());
        var notAnIndex = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                () -> EvalMethods.create("medprompt", MethodOptions.defaults()
                        .withParameter(MedpromptMethod.KB, dir.resolve("nothing").toString())));
        assertTrue(notAnIndex.getMessage().contains("nothing"), notAnIndex.getMessage());
    }
}
