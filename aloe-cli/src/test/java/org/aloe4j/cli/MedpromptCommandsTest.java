package org.aloe4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.aloe4j.Fixtures;
import org.aloe4j.eval.data.Benchmark;
import org.aloe4j.eval.data.LoaderOptions;
import org.aloe4j.eval.data.Question;
import org.aloe4j.medprompt.KnowledgeBaseBuilder;
import org.aloe4j.rag.medprompt.KnowledgeBase;
import org.aloe4j.remote.ScriptedOpenAiServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code aloe medprompt build} then {@code aloe eval --method medprompt --kb} against a scripted OpenAI-compatible
 * server that answers by option text: for each question, the option it "believes" (whatever letter it is shown
 * under).
 */
class MedpromptCommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** Replies "Answer: [L]" where L is the letter the believed option has in the prompt's last user turn. */
    private static ScriptedOpenAiServer server(Map<String, String> believed) throws Exception {
        return new ScriptedOpenAiServer(call -> {
            String user = call.lastUser();
            int at = user.lastIndexOf("\nOptions:\n");
            String option = believed.get(user.substring(0, at));
            for (String line : user.substring(at + 10).split("\n")) {
                if (line.substring(3).equals(option.strip())) {
                    return ScriptedOpenAiServer.text("Thinking it through, " + option + ".\nAnswer: ["
                            + line.charAt(0) + "]");
                }
            }
            throw new IllegalStateException("option not shown: " + option);
        });
    }

    @Test
    void buildKeepsTheCorrectAnswersAndEvalAnswersWithThem() throws Exception {
        Path data = Fixtures.file("medqa/medqa/phrases_no_exclude_test.first30.jsonl");
        List<Question> qs = Benchmark.MEDQA.loader().load(data, LoaderOptions.defaults()).questions().subList(0, 6);
        // the model is right on even items, wrong on odd ones
        Map<String, String> believed = new HashMap<>();
        for (int i = 0; i < qs.size(); i++) {
            Question q = qs.get(i);
            believed.put(q.question(), q.options().get((q.goldIndex() + (i % 2)) % q.options().size()));
        }
        Path index = tmp.resolve("kb");
        try (ScriptedOpenAiServer s = server(believed)) {
            CliRun build = CliRun.of("medprompt", "build", "--bench", "medqa", "--data", data.toString(), "--limit", "6",
                    "--backend", s.url(), "--backend-model", "Qwen2.5-Aloe-Beta-7B", "--out", index.toString(),
                    "--batch", "4");
            assertEquals(0, build.exitCode(), build.err());
            assertTrue(build.out().startsWith("Asked 6 of 6 questions of " + data + " with Qwen2.5-Aloe-Beta-7B (0 "
                    + "asked before, 0 refused by the server): kept 3 correct answers; " + index + " holds 3 examples "
                    + "(bge-small-en-v1.5-q)"), build.out());
            assertEquals(6, Files.readAllLines(index.resolve(KnowledgeBaseBuilder.LOG)).size());
            // again: nothing left to ask
            CliRun again = CliRun.of("medprompt", "build", "--bench", "medqa", "--data", data.toString(), "--limit",
                    "6", "--backend", s.url(), "--backend-model", "Qwen2.5-Aloe-Beta-7B", "--out", index.toString());
            assertTrue(again.out().startsWith("Asked 0 of 6 questions"), again.out());
            assertEquals(6, s.calls().size());

            try (KnowledgeBase kb = KnowledgeBase.open(index)) {
                assertEquals(3, kb.size());
                Set<String> ids = new HashSet<>();
                kb.nearest("any question", 10).forEach(r -> ids.add(r.example().id()));
                assertEquals(Set.of("medqa/" + qs.get(0).id(), "medqa/" + qs.get(2).id(), "medqa/" + qs.get(4).id()),
                        ids);
            }

            // Medprompt over the same six: 3 shuffled members each, 2 examples; the model's beliefs decide
            Path run = tmp.resolve("run");
            CliRun eval = CliRun.of("eval", "--bench", "medqa", "--data", data.toString(), "--limit", "6", "--method",
                    "medprompt", "--kb", index.toString(), "--kb-k", "2", "--samples", "3", "--seed", "5",
                    "--backend", s.url(), "--backend-model", "Qwen2.5-Aloe-Beta-7B", "--out", run.toString(),
                    "--no-progress");
            assertEquals(0, eval.exitCode(), eval.err());
            JsonNode results = JSON.readTree(run.resolve("results.json").toFile());
            assertEquals(3, results.get("correct").asInt());
            assertEquals("medprompt", results.get("method").asText());
            assertEquals(index.toAbsolutePath().normalize().toString(),
                    results.get("options").get("parameters").get("kb").asText());
            List<JsonNode> records = new ArrayList<>();
            for (String line : Files.readAllLines(run.resolve("generations.jsonl"))) {
                records.add(JSON.readTree(line));
            }
            assertEquals(6, records.size());
            for (JsonNode r : records) {
                JsonNode d = r.get("details");
                assertEquals(2, d.get("examples").size());
                Set<String> orders = new HashSet<>();
                d.get("runs").forEach(m -> orders.add(m.get("order").asText()));
                assertEquals(3, orders.size(), "three different option orders: " + d);
                assertEquals(3, r.get("votes").get(r.get("pred").asText()).asInt(), "unanimous by content");
            }
            // a question that is in the base finds itself, as the most similar example (last)
            JsonNode first = records.stream().filter(r -> r.get("id").asText().equals(qs.get(0).id())).findFirst()
                    .orElseThrow().get("details").get("examples");
            assertEquals("medqa/" + qs.get(0).id(), first.get(1).get("id").asText());
            assertTrue(first.get(1).get("similarity").asDouble() > 0.99, first.toString());
        }
    }

    /** aloe eval writes to System.err: the exit code and what it wrote there. */
    private static CliRun evalCapturingStderr(String... args) {
        java.io.PrintStream old = System.err;
        var err = new java.io.ByteArrayOutputStream();
        try {
            System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
            CliRun r = CliRun.of(args);
            return new CliRun(r.exitCode(), r.out(), err.toString(java.nio.charset.StandardCharsets.UTF_8));
        } finally {
            System.setErr(old);
        }
    }

    @Test
    void medpromptOptionsNeedMedpromptAndAKnowledgeBase() {
        Path data = Fixtures.file("medqa/medqa/phrases_no_exclude_test.first30.jsonl");
        CliRun cot = evalCapturingStderr("eval", "--bench", "medqa", "--data", data.toString(), "--method", "cot", "--kb",
                tmp.toString(), "--backend", "http://127.0.0.1:1", "--out", tmp.resolve("o").toString());
        assertEquals(1, cot.exitCode());
        assertEquals("aloe eval: --kb, --kb-k, --no-shuffle and --rerank-* are for --method medprompt\n", cot.err());
        CliRun noKb = evalCapturingStderr("eval", "--bench", "medqa", "--data", data.toString(), "--method", "medprompt",
                "--backend", "http://127.0.0.1:1", "--out", tmp.resolve("o").toString());
        assertEquals(1, noKb.exitCode());
        assertTrue(noKb.err().startsWith("aloe eval: medprompt needs a knowledge base: --kb INDEX"), noKb.err());
        CliRun notKb = evalCapturingStderr("eval", "--bench", "medqa", "--data", data.toString(), "--method", "medprompt",
                "--kb", tmp.resolve("absent").toString(), "--backend", "http://127.0.0.1:1", "--out",
                tmp.resolve("o").toString());
        assertEquals(1, notKb.exitCode());
        assertEquals("aloe eval: " + tmp.resolve("absent") + ": no index there\n", notKb.err());
    }
}
