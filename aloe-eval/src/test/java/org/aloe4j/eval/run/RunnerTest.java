package org.aloe4j.eval.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.aloe4j.eval.data.Benchmark;
import org.aloe4j.eval.method.EvalMethods;
import org.aloe4j.eval.method.MethodOptions;
import org.aloe4j.eval.method.ScriptedReplies;
import org.aloe4j.remote.OpenAiCompatibleModel;
import org.aloe4j.remote.RetryPolicy;
import org.aloe4j.remote.ScriptedOpenAiServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole runs against a scripted server: scores computed by hand, and interrupted runs resumed. */
class RunnerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final PrintStream QUIET = new PrintStream(java.io.OutputStream.nullOutputStream());

    @TempDir
    Path tmp;

    private Path dataset(int n, String... golds) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            sb.append("{\"id\":\"r").append(i).append("\",\"subject\":\"s").append(i <= 4 ? 1 : 2)
                    .append("\",\"question\":\"Item [r").append(i).append("] ?\",\"options\":[\"w\",\"x\",\"y\",\"z\"],")
                    .append("\"answer\":\"").append(golds[i - 1]).append("\"}\n");
        }
        Path p = tmp.resolve("data.jsonl");
        Files.writeString(p, sb);
        return p;
    }

    private static OpenAiCompatibleModel model(ScriptedOpenAiServer s) {
        return OpenAiCompatibleModel.builder(s.url()).backendModel("scripted")
                .retry(new RetryPolicy(0, Duration.ZERO, Duration.ZERO)).build();
    }

    private static RunConfig cfg(Path data, Path out, String method, boolean resume, int concurrency) {
        return new RunConfig(Benchmark.JSONL, data, null, method, MethodOptions.defaults().withSeed(7L), null,
                concurrency, out, resume, false);
    }

    private static EvalRunner.Outcome run(RunConfig c, ScriptedOpenAiServer s) throws IOException {
        return EvalRunner.run(c, model(s), EvalMethods.create(c.method(), c.methodOptions()), QUIET);
    }

    private static List<JsonNode> lines(Path f) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(f)) {
            out.add(JSON.readTree(l));
        }
        return out;
    }

    /** Eight items whose scripted CoT replies give 5 right answers (worked out in the comments). */
    private static ScriptedReplies eightItems() {
        var s = new ScriptedReplies()
                .texts("[r1]", "ok\nAnswer: [A]")                  // gold A: right
                .texts("[r2]", "ok\nAnswer: [C]")                  // gold B: wrong
                .texts("[r3]", "??", "ok\nAnswer: [C]")            // gold C: right after 1 retry
                .texts("[r5]", "\nAnswer: [A]")                    // gold A: right
                .texts("[r6]", "\nAnswer: [B]")                    // gold B: right
                .texts("[r7]", "\nAnswer: [A] or [C]")             // gold C: last in option order = C, right
                .texts("[r8]", "\nAnswer: [D]\nAnswer: [B]");      // gold D: last answer line says B, wrong
        for (int i = 0; i < 10; i++) {
            s.texts("[r4]", "I cannot decide.");                    // gold D: 10 unparsable replies, wrong
        }
        return s;
    }

    private static final String[] GOLDS = {"A", "B", "C", "D", "A", "B", "C", "D"};

    @Test
    void fullRunScoresAsComputedByHand() throws IOException {
        Path data = dataset(8, GOLDS);
        Path out = tmp.resolve("out");
        try (var s = new ScriptedOpenAiServer(eightItems())) {
            EvalRunner.Outcome o = run(cfg(data, out, "cot", false, 3), s);
            assertTrue(o.complete());
            assertEquals(18, s.calls().size(), "1+1+2+10+1+1+1+1 requests");
        }
        JsonNode r = JSON.readTree(out.resolve("results.json").toFile());
        assertEquals("jsonl", r.get("benchmark").asText());
        assertEquals("cot", r.get("method").asText());
        assertEquals("scripted", r.get("model").asText());
        assertEquals(8, r.get("n").asInt());
        assertEquals(5, r.get("correct").asInt());
        assertEquals(0.625, r.get("accuracy").asDouble(), 0.0);
        // Wilson 95% for 5/8, by hand: centre (0.625 + z²/16)/(1 + z²/8), half-width z/(1+z²/8)·sqrt(p(1-p)/8 + z²/256)
        assertEquals(0.3057423946, r.get("ci95").get(0).asDouble(), 1e-9);
        assertEquals(0.8631557142, r.get("ci95").get(1).asDouble(), 1e-9);
        assertTrue(r.get("ci_method").asText().startsWith("Wilson"));
        assertEquals(1, r.get("parse_failures").asInt());
        assertEquals(10, r.get("retries").asInt(), "1 for r3, 9 for r4");
        assertEquals(0, r.get("draws").get("total").asInt());
        assertEquals(0.5, r.get("per_subject").get("s1").get("accuracy").asDouble(), 0.0);
        assertEquals(0.75, r.get("per_subject").get("s2").get("accuracy").asDouble(), 0.0);
        assertEquals(18 * 7, r.get("tokens").get("prompt").asInt(), "the server counts 7 prompt tokens a call");
        assertTrue(r.get("wall_time_s").asDouble() > 0);
        assertTrue(Files.size(out.resolve("accuracy.png")) > 1000);
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("| accuracy | 62.50% |"), md);

        List<JsonNode> gen = lines(out.resolve("generations.jsonl"));
        assertEquals(8, gen.size());
        JsonNode r4 = gen.stream().filter(g -> g.get("id").asText().equals("r4")).findFirst().orElseThrow();
        assertTrue(r4.get("pred").isNull());
        assertFalse(r4.get("correct").asBoolean());
        assertEquals(10, r4.get("attempts").size());
        assertEquals(0.45, r4.get("attempts").get(9).get("temperature").asDouble(), 1e-12);
        assertEquals(1924, r4.get("attempts").get(9).get("max_tokens").asInt());
        assertEquals("I cannot decide.", r4.get("attempts").get(9).get("output").asText());
        assertEquals(1, r4.get("prompts").size(), "the same prompt for every attempt is stored once");
        assertTrue(r4.get("prompts").get(0).get(1).get("content").asText().contains("Item [r4] ?\nOptions:\nA. w"));
    }

    @Test
    void aRunStoppedByAServerFailureResumesWithoutRedoingOrLosingItems() throws IOException {
        String[] golds = {"A", "B", "C", "D", "A", "B"};
        Path data = dataset(6, golds);
        Path out = tmp.resolve("out");
        var first = new ScriptedReplies();
        for (int i = 1; i <= 3; i++) {
            first.texts("[r" + i + "]", "\nAnswer: [" + golds[i - 1] + "]");
        }
        first.on("[r4]", ScriptedOpenAiServer.failure(503, "server restarting"));
        try (var s = new ScriptedOpenAiServer(first)) {
            var e = assertThrows(EvalRunner.RunStoppedException.class, () -> run(cfg(data, out, "cot", false, 1), s));
            assertTrue(e.getMessage().contains("stopped after 3 of 6 items"), e.getMessage());
            assertTrue(e.getMessage().contains("--resume"), e.getMessage());
        }
        JsonNode partial = JSON.readTree(out.resolve("results.json").toFile());
        assertFalse(partial.get("complete").asBoolean());
        assertEquals(3, partial.get("n").asInt());

        var second = new ScriptedReplies();
        for (int i = 4; i <= 6; i++) {
            second.texts("[r" + i + "]", "\nAnswer: [" + (i == 5 ? "C" : golds[i - 1]) + "]");
        }
        try (var s = new ScriptedOpenAiServer(second)) {
            EvalRunner.Outcome o = run(cfg(data, out, "cot", true, 2), s);
            assertTrue(o.complete());
            assertEquals(3, o.alreadyDone());
            assertEquals(3, o.answeredNow());
            for (var c : s.calls()) {
                assertFalse(c.lastUser().matches("(?s).*\\[r[123]\\].*"), "asked again: " + c.lastUser());
            }
        }
        List<JsonNode> gen = lines(out.resolve("generations.jsonl"));
        Set<String> ids = new HashSet<>();
        gen.forEach(g -> ids.add(g.get("id").asText()));
        assertEquals(6, gen.size());
        assertEquals(Set.of("r1", "r2", "r3", "r4", "r5", "r6"), ids);
        JsonNode r = JSON.readTree(out.resolve("results.json").toFile());
        assertEquals(6, r.get("n").asInt());
        assertEquals(5, r.get("correct").asInt());
        assertEquals(2, JSON.readTree(out.resolve("run.json").toFile()).get("sessions").size());
    }

    @Test
    void aTornLastLineIsDroppedAndOnlyThatItemRunsAgain() throws IOException {
        Path data = dataset(8, GOLDS);
        Path out = tmp.resolve("out");
        try (var s = new ScriptedOpenAiServer(eightItems())) {
            run(cfg(data, out, "cot", false, 1), s);
        }
        Path gen = out.resolve("generations.jsonl");
        List<String> before = Files.readAllLines(gen);
        String lastId = JSON.readTree(before.getLast()).get("id").asText();
        byte[] bytes = Files.readAllBytes(gen);
        int cut = bytes.length - before.getLast().getBytes(StandardCharsets.UTF_8).length / 2; // mid-line
        Files.write(gen, java.util.Arrays.copyOf(bytes, cut));

        ScriptedReplies again = new ScriptedReplies();
        for (String marker : List.of("[r1]", "[r2]", "[r3]", "[r4]", "[r5]", "[r6]", "[r7]", "[r8]")) {
            if (marker.equals("[" + lastId + "]")) {
                again.texts(marker, "\nAnswer: [D]");
            }
        }
        try (var s = new ScriptedOpenAiServer(again)) {
            EvalRunner.Outcome o = run(cfg(data, out, "cot", true, 4), s);
            assertTrue(o.droppedTornLine());
            assertEquals(1, o.answeredNow());
            assertEquals(1, s.calls().size());
            assertTrue(s.calls().getFirst().lastUser().contains("[" + lastId + "]"));
        }
        List<JsonNode> after = lines(gen);
        assertEquals(8, after.size());
        assertEquals(8, after.stream().map(g -> g.get("id").asText()).distinct().count());
        assertEquals(before.subList(0, 7), Files.readAllLines(gen).subList(0, 7), "finished lines are untouched");
    }

    @Test
    void resumeRefusesOtherSettingsAndAFreshRunRefusesAnOccupiedFolder() throws IOException {
        Path data = dataset(8, GOLDS);
        Path out = tmp.resolve("out");
        try (var s = new ScriptedOpenAiServer(eightItems())) {
            run(cfg(data, out, "cot", false, 2), s);
            var occupied = assertThrows(IllegalStateException.class, () -> run(cfg(data, out, "cot", false, 1), s));
            assertTrue(occupied.getMessage().contains("pass --resume"), occupied.getMessage());
            var other = assertThrows(IllegalStateException.class, () -> run(cfg(data, out, "zero-shot", true, 1), s));
            assertTrue(other.getMessage().contains("method: was \"cot\", now \"zero-shot\""), other.getMessage());
            // resuming a finished run asks nothing and rewrites the same results
            int calls = s.calls().size();
            EvalRunner.Outcome o = run(cfg(data, out, "cot", true, 2), s);
            assertEquals(0, o.answeredNow());
            assertEquals(calls, s.calls().size());
            assertEquals(0.625, o.results().get("accuracy").asDouble(), 0.0);
        }
    }

    @Test
    void runJsonIsOnDiskBeforeTheFirstItemSoAKilledRunCanResume() throws IOException {
        Path data = dataset(8, GOLDS);
        Path out = tmp.resolve("out");
        var seenBeforeFirstAnswer = new java.util.concurrent.atomic.AtomicBoolean();
        var replies = eightItems();
        try (var s = new ScriptedOpenAiServer(call -> {
            if (!seenBeforeFirstAnswer.get()) {
                seenBeforeFirstAnswer.set(Files.exists(out.resolve("run.json")));
            }
            return replies.apply(call);
        })) {
            run(cfg(data, out, "cot", false, 1), s);
        }
        assertTrue(seenBeforeFirstAnswer.get(), "run.json existed when the first request was made");
        JsonNode run = JSON.readTree(out.resolve("run.json").toFile());
        assertEquals(7, run.get("run").get("options").get("seed").asInt());
    }

    @Test
    void aKilledSessionCountsUntilItsLastFinishedItem() throws IOException {
        var sessions = (com.fasterxml.jackson.databind.node.ArrayNode) JSON.readTree(
                "[{\"started\":\"2026-01-01T00:00:00Z\",\"seconds\":null},"
                        + "{\"started\":\"2026-01-01T00:00:10Z\",\"seconds\":2.5}]");
        List<JsonNode> records = List.of(JSON.readTree("{\"finished_at\":\"2026-01-01T00:00:03Z\"}"),
                JSON.readTree("{\"finished_at\":\"2026-01-01T00:00:04Z\"}"),
                JSON.readTree("{\"finished_at\":\"2026-01-01T00:00:11Z\"}"));
        assertEquals(4 + 2.5, EvalRunner.wallTime(sessions, records), 1e-9);
    }

    @Test
    void aHandEditedMiddleLineIsAnErrorNotARepair() throws IOException {
        Path f = tmp.resolve("g.jsonl");
        Files.writeString(f, "{\"id\":\"a\"}\n{broken\n{\"id\":\"c\"}\n");
        var e = assertThrows(IOException.class, () -> GenerationsLog.open(f));
        assertTrue(e.getMessage().contains("g.jsonl:2"), e.getMessage());
    }

    @Test
    void limitTakesTheFirstItemsAndAResumeMayExtendIt() throws IOException {
        Path data = dataset(8, GOLDS);
        Path out = tmp.resolve("out");
        try (var s = new ScriptedOpenAiServer(eightItems())) {
            var limited = new RunConfig(Benchmark.JSONL, data, null, "cot", MethodOptions.defaults().withSeed(7L), 3,
                    1, out, false, false);
            EvalRunner.Outcome o = run(limited, s);
            assertEquals(3, o.results().get("n").asInt());
            assertEquals(2, o.results().get("correct").asInt()); // r1 right, r2 wrong, r3 right
            EvalRunner.Outcome all = run(cfg(data, out, "cot", true, 2), s);
            assertEquals(8, all.results().get("n").asInt());
            assertEquals(5, all.results().get("correct").asInt());
            assertEquals(18, s.calls().size(), "no item was asked twice");
        }
    }
}
