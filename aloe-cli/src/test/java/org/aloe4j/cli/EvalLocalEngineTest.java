package org.aloe4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.aloe4j.Fixtures;
import org.aloe4j.eval.data.Benchmark;
import org.aloe4j.eval.data.LoaderOptions;
import org.aloe4j.eval.data.Question;
import org.aloe4j.eval.report.AccuracyChart;
import org.aloe4j.generation.ChatMessage;
import org.aloe4j.generation.ChatRequest;
import org.aloe4j.generation.GenerationResult;
import org.aloe4j.generation.LocalModel;
import org.aloe4j.generation.SamplingSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code aloe eval} end to end on the local engine: the tiny Qwen2 with the real Qwen2.5 vocabulary and chat
 * template ({@code models/tiny-qwen2-realvocab.Q8_0.gguf}) on the 30 MedQA fixture items. A run in its own JVM is
 * killed with SIGKILL part-way and resumed; the records are checked against the model itself.
 */
class EvalLocalEngineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MODEL = "models/tiny-qwen2-realvocab.Q8_0.gguf";
    private static final String MEDQA = "medqa/medqa/phrases_no_exclude_test.first30.jsonl";

    @TempDir
    Path tmp;

    @Test
    void loglikRunKilledWithSigkillResumesWithNoItemLostOrRedone() throws Exception {
        Path model = Fixtures.file(MODEL);
        Path data = Fixtures.file(MEDQA);
        Path out = tmp.resolve("run");
        Path generations = out.resolve("generations.jsonl");
        List<String> args = List.of("--bench", "medqa", "--data", data.toString(), "--model", model.toString(),
                "--method", "loglik", "--out", out.toString(), "--no-progress");

        // Session 1: killed with SIGKILL once 3 items are in generations.jsonl (items are paced at 150 ms: PacedEval).
        Path err1 = tmp.resolve("session1.err");
        Process first = ChildJvm.start(PacedEval.class, args, err1);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (completeLines(generations) < 3) {
            if (!first.isAlive()) {
                fail("the run ended before it could be killed (exit " + first.exitValue() + "): " + Files.readString(err1));
            }
            if (System.nanoTime() > deadline) {
                first.destroyForcibly();
                fail("no 3 items within 120 s: " + Files.readString(err1));
            }
            Thread.sleep(5);
        }
        first.destroyForcibly(); // SIGKILL on Linux
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        assertEquals(128 + 9, first.exitValue(), "killed by signal 9");
        byte[] atKill = Files.readAllBytes(generations);
        int linesAtKill = completeLines(generations);
        assertTrue(linesAtKill >= 3 && linesAtKill < 30, "killed part-way: " + linesAtKill + " items done");
        assertFalse(Files.exists(out.resolve("results.json")), "the killed session wrote no results");
        System.out.printf(Locale.ROOT, "killed after %d items (%d bytes, torn tail: %b)%n", linesAtKill, atKill.length,
                atKill.length > 0 && atKill[atKill.length - 1] != '\n');

        // Session 2: the ordinary command, resumed.
        List<String> resume = new ArrayList<>(List.of("eval"));
        resume.addAll(args);
        resume.add("--resume");
        Path err2 = tmp.resolve("session2.err");
        Process second = ChildJvm.start(Main.class, resume, err2);
        assertTrue(second.waitFor(300, TimeUnit.SECONDS), "resumed run finished");
        String log = Files.readString(err2);
        assertEquals(0, second.exitValue(), log);

        // Nothing redone: the finished lines are untouched, the rest appended after them.
        byte[] finalBytes = Files.readAllBytes(generations);
        int keep = lastNewline(atKill) + 1;
        for (int i = 0; i < keep; i++) {
            assertEquals(atKill[i], finalBytes[i], "byte " + i + " of the lines written before the kill");
        }
        // Nothing lost: every item exactly once.
        List<Question> questions = Benchmark.MEDQA.loader().load(data, LoaderOptions.defaults()).questions();
        assertEquals(30, questions.size());
        List<JsonNode> records = new ArrayList<>();
        for (String line : Files.readAllLines(generations)) {
            records.add(JSON.readTree(line));
        }
        assertEquals(30, records.size());
        Set<String> ids = new HashSet<>();
        for (JsonNode r : records) {
            assertTrue(ids.add(r.get("id").asText()), "duplicate " + r.get("id"));
        }
        assertEquals(questions.stream().map(Question::id).collect(java.util.stream.Collectors.toSet()), ids);

        // Each record against the model: the option letters' log-probabilities as the first token of the reply,
        // recomputed here from the full-vocabulary logits of the prompt the record says was sent.
        Map<String, Question> byId = new LinkedHashMap<>();
        questions.forEach(q -> byId.put(q.id(), q));
        int correct = 0;
        double maxLogprobDiff = 0;
        try (LocalModel m = LocalModel.open(model)) {
            for (JsonNode r : records) {
                Question q = byId.get(r.get("id").asText());
                assertEquals(q.gold(), r.get("gold").asText(), q.id());
                List<ChatMessage> prompt = new ArrayList<>();
                for (JsonNode msg : r.get("prompts").get(0)) {
                    prompt.add(new ChatMessage(msg.get("role").asText(), msg.get("content").asText()));
                }
                assertEquals("system", prompt.get(0).role());
                assertTrue(prompt.get(1).content().startsWith(q.question()), q.id());
                int[] tokens = m.chatTokens(new ChatRequest(prompt, null, List.of(), false, ""));
                float[] logits = m.logits(tokens, false)[0];
                double logZ = logSumExp(logits);
                String best = null;
                double bestLp = Double.NEGATIVE_INFINITY;
                for (String letter : List.of("A", "B", "C", "D")) {
                    int[] ids1 = m.tokenizer().encode(letter, false);
                    assertEquals(1, ids1.length, letter + " is one token");
                    double expected = logits[ids1[0]] - logZ;
                    double actual = r.get("logprobs").get(letter).asDouble();
                    maxLogprobDiff = Math.max(maxLogprobDiff, Math.abs(expected - actual));
                    if (expected > bestLp) {
                        bestLp = expected;
                        best = letter;
                    }
                }
                assertEquals(best, r.get("pred").asText(), q.id());
                assertEquals(best.equals(q.gold()), r.get("correct").asBoolean(), q.id());
                correct += r.get("correct").asBoolean() ? 1 : 0;
            }
        }
        System.out.printf(Locale.ROOT, "loglik: %d/30 correct; max |logprob - recomputed| %.3g%n", correct, maxLogprobDiff);
        // Same weights and prompt; the run's prefill may reuse a cached prefix (other float summation order).
        assertTrue(maxLogprobDiff < 1e-4, "max |logprob diff| " + maxLogprobDiff);

        // results.json, run.json, report.md
        JsonNode results = JSON.readTree(out.resolve("results.json").toFile());
        assertEquals("medqa", results.get("benchmark").asText());
        assertEquals("loglik", results.get("method").asText());
        assertEquals("tiny-qwen2-realvocab", results.get("model").asText());
        assertEquals(30, results.get("n").asInt());
        assertEquals(correct, results.get("correct").asInt());
        assertEquals(correct / 30.0, results.get("accuracy").asDouble(), 1e-12);
        assertEquals(0, results.get("parse_failures").asInt());
        assertTrue(results.get("complete").asBoolean());
        double lo = results.get("ci95").get(0).asDouble();
        double hi = results.get("ci95").get(1).asDouble();
        assertTrue(lo < correct / 30.0 && correct / 30.0 < hi, results.get("ci95").toString());
        assertTrue(log.contains(correct + "/30 correct"), log);
        JsonNode sessions = JSON.readTree(out.resolve("run.json").toFile()).get("sessions");
        assertEquals(2, sessions.size());
        assertTrue(sessions.get(0).get("seconds").isNull(), "the killed session could not record its time");
        assertEquals(30 - linesAtKill, sessions.get(1).get("items_answered").asInt());
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains(String.format(Locale.ROOT, "| accuracy | %.2f%% |", 100.0 * correct / 30)), report);
        assertTrue(report.contains("![accuracy](accuracy.png)"), report);

        // The PNG: this run's bar beside the paper's, with heights in proportion to the accuracies.
        BufferedImage png = ImageIO.read(out.resolve("accuracy.png").toFile());
        assertNotNull(png, "a readable PNG");
        assertEquals(AccuracyChart.WIDTH, png.getWidth());
        assertEquals(AccuracyChart.HEIGHT, png.getHeight());
        int runBar = tallestBar(png, AccuracyChart.RUN_COLOUR.getRGB());
        int paperBar = tallestBar(png, AccuracyChart.PUBLISHED_COLOUR.getRGB());
        double bestPublished = 0;
        for (JsonNode row : results.get("published").get("rows")) {
            bestPublished = Math.max(bestPublished, row.get("accuracy").asDouble());
        }
        System.out.printf(Locale.ROOT, "chart: run bar %d px (%.2f%%), tallest paper bar %d px (%.2f%%)%n", runBar,
                100.0 * correct / 30, paperBar, bestPublished);
        assertTrue(paperBar > 100, "published bars drawn: " + paperBar + " px");
        if (correct > 0) {
            assertEquals(100.0 * correct / 30 / bestPublished, (double) runBar / paperBar, 0.02,
                    "bar heights in proportion to the accuracies");
        }
    }

    @Test
    void zeroShotOnTheLocalEngineRecordsTheModelsGreedyReplies() throws IOException {
        Path model = Fixtures.file(MODEL);
        Path data = Fixtures.file(MEDQA);
        Path out = tmp.resolve("zero-shot");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldErr = System.err;
        int code;
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Main.run("eval", "--bench", "medqa", "--data", data.toString(), "--model", model.toString(),
                    "--method", "zero-shot", "--limit", "3", "--max-tokens", "8", "--attempts", "2", "--seed", "5",
                    "--out", out.toString(), "--no-progress");
        } finally {
            System.setErr(oldErr);
        }
        String log = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, log);
        List<String> lines = Files.readAllLines(out.resolve("generations.jsonl"));
        assertEquals(3, lines.size());
        int parseFailures = 0;
        long promptTokens = 0;
        try (LocalModel m = LocalModel.open(model)) {
            for (String line : lines) {
                JsonNode r = JSON.readTree(line);
                List<ChatMessage> prompt = new ArrayList<>();
                for (JsonNode msg : r.get("prompts").get(0)) {
                    prompt.add(new ChatMessage(msg.get("role").asText(), msg.get("content").asText()));
                }
                // The first attempt is the model's greedy reply to the recorded prompt.
                JsonNode first = r.get("attempts").get(0);
                assertEquals(0.0, first.get("temperature").asDouble());
                assertEquals(8, first.get("max_tokens").asInt());
                ChatRequest req = new ChatRequest(prompt, SamplingSettings.greedy(8), List.of(), false, "");
                GenerationResult g = m.chat(req, null);
                assertEquals(g.text(), first.get("output").asText(), r.get("id").asText());
                assertEquals(m.chatTokens(req).length, first.get("prompt_tokens").asInt());
                assertEquals(g.usage().completionTokens(), first.get("completion_tokens").asInt());
                // A reply without "Answer: [X]" is retried (prompt_engine's schedule: +0.05 temperature, +100 tokens).
                boolean parsed = !first.get("parsed").isNull();
                assertEquals(parsed ? 1 : 2, r.get("attempts_total").asInt());
                if (!parsed) {
                    JsonNode retry = r.get("attempts").get(1);
                    assertEquals(0.05, retry.get("temperature").asDouble(), 1e-12);
                    assertEquals(108, retry.get("max_tokens").asInt());
                }
                if (r.get("pred").isNull()) {
                    parseFailures++;
                    assertFalse(r.get("correct").asBoolean());
                } else {
                    assertEquals(r.get("pred").asText().equals(r.get("gold").asText()), r.get("correct").asBoolean());
                }
                for (JsonNode a : r.get("attempts")) {
                    promptTokens += a.get("prompt_tokens").asLong();
                }
            }
        }
        JsonNode results = JSON.readTree(out.resolve("results.json").toFile());
        assertEquals(3, results.get("n").asInt());
        assertEquals(parseFailures, results.get("parse_failures").asInt());
        assertEquals(promptTokens, results.get("tokens").get("prompt").asLong());
        assertTrue(promptTokens > 3 * 100, "MedQA prompts are hundreds of tokens: " + promptTokens);
        System.out.printf(Locale.ROOT, "zero-shot: 3 items, %d without a parsable answer, %d prompt tokens%n",
                parseFailures, promptTokens);
    }

    static int completeLines(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        int n = 0;
        for (byte b : Files.readAllBytes(file)) {
            n += b == '\n' ? 1 : 0;
        }
        return n;
    }

    static int lastNewline(byte[] bytes) {
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    static double logSumExp(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) {
            max = Math.max(max, l);
        }
        double sum = 0;
        for (float l : logits) {
            sum += Math.exp(l - max);
        }
        return max + Math.log(sum);
    }

    /**
     * The height in pixels of the tallest bar of one colour: the longest vertical run of exactly that colour in any
     * column (the bar's value label interrupts only the middle columns; legend swatches are short).
     */
    static int tallestBar(BufferedImage img, int argb) {
        int best = 0;
        for (int x = 0; x < img.getWidth(); x++) {
            int run = 0;
            for (int y = 0; y < img.getHeight(); y++) {
                run = img.getRGB(x, y) == argb ? run + 1 : 0;
                best = Math.max(best, run);
            }
        }
        return best;
    }
}
