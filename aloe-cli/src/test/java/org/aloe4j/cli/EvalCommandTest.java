package org.aloe4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.aloe4j.Fixtures;
import org.aloe4j.eval.method.ScriptedReplies;
import org.aloe4j.remote.ScriptedOpenAiServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class EvalCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** Runs the aloe command line, returning {exit code, stdout, stderr}. */
    private static String[] aloe(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new String[] {String.valueOf(code), out.toString(StandardCharsets.UTF_8),
                    err.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void inspectPrintsOneJsonLineWithCountsAndTheCopConvention() throws IOException {
        Path f = Fixtures.file("medqa/medmcqa/dev.first30.json");
        String[] r = aloe("eval", "inspect", "--bench", "medmcqa", "--data", f.toString());
        assertEquals("0", r[0], r[2]);
        String[] lines = r[1].strip().split("\n");
        assertEquals(1, lines.length);
        JsonNode j = JSON.readTree(lines[0]);
        assertEquals(30, j.get("items").asInt());
        assertEquals(15, j.get("answers").get("A").asInt());
        assertEquals(8, j.get("answers").get("B").asInt());
        assertEquals(4, j.get("answers").get("C").asInt());
        assertEquals(3, j.get("answers").get("D").asInt());
        assertEquals(0, j.get("errors").size());
        assertTrue(j.get("notes").get(0).asText().contains("cop is 1-based"), j.toString());
    }

    @Test
    void inspectListsRejectedRowsWithLineNumbers() throws IOException {
        Path f = tmp.resolve("bad.jsonl");
        Files.writeString(f, "{\"question\":\"q\",\"options\":[\"a\",\"b\"],\"answer\":\"B\"}\n{oops\n");
        String[] r = aloe("eval", "inspect", "--bench", "jsonl", "--data", f.toString());
        JsonNode j = JSON.readTree(r[1]);
        assertEquals(1, j.get("items").asInt());
        assertEquals(2, j.get("errors").get(0).get("line").asInt());
        assertEquals(f.toString(), j.get("errors").get(0).get("file").asText());
    }

    @Test
    void evalAgainstABackendWritesResultsAndCompareTabulatesRuns() throws IOException {
        Path data = tmp.resolve("d.jsonl");
        Files.writeString(data, "{\"id\":\"x1\",\"question\":\"[x1]\",\"options\":[\"a\",\"b\"],\"answer\":\"A\"}\n"
                + "{\"id\":\"x2\",\"question\":\"[x2]\",\"options\":[\"a\",\"b\"],\"answer\":\"B\"}\n");
        var replies = new ScriptedReplies().texts("[x1]", "\nAnswer: [A]").texts("[x2]", "\nAnswer: [A]")
                .texts("[x1]", "\nAnswer: [B]").texts("[x2]", "\nAnswer: [B]");
        try (var s = new ScriptedOpenAiServer(replies)) {
            Path out1 = tmp.resolve("run1");
            Path out2 = tmp.resolve("run2");
            String[] r1 = aloe("eval", "--bench", "jsonl", "--data", data.toString(), "--backend", s.url(),
                    "--backend-model", "Qwen2.5-Aloe-Beta-7B", "--method", "cot", "--out", out1.toString(),
                    "--no-progress", "--retries", "0");
            assertEquals("0", r1[0], r1[2]);
            assertTrue(r1[2].contains("1/2 correct, accuracy 50.00%"), r1[2]);
            String[] r2 = aloe("eval", "--bench", "jsonl", "--data", data.toString(), "--backend", s.url(),
                    "--backend-model", "Qwen2.5-Aloe-Beta-7B", "--method", "zero-shot", "--out", out2.toString(),
                    "--no-progress");
            assertEquals("0", r2[0], r2[2]);
            JsonNode res = JSON.readTree(out2.resolve("results.json").toFile());
            assertEquals(0.5, res.get("accuracy").asDouble(), 0.0);
            String[] cmp = aloe("eval", "compare", out1.toString(), out2.toString());
            assertEquals("0", cmp[0], cmp[2]);
            assertTrue(cmp[1].contains("| cot | Qwen2.5-Aloe-Beta-7B | 2 | 50.00% |"), cmp[1]);
            assertTrue(cmp[1].contains("| zero-shot | Qwen2.5-Aloe-Beta-7B | 2 | 50.00% |"), cmp[1]);
        }
    }

    @Test
    void usageErrorsAreOneLineMessages() {
        String[] none = aloe("eval", "--bench", "medqa");
        assertEquals("2", none[0]);
        assertTrue(none[2].startsWith("aloe eval: needs --bench, --data, --out"), none[2]);
        String[] local = aloe("eval", "--bench", "jsonl", "--data", "x.jsonl", "--model", "m.gguf", "--out",
                tmp.resolve("o").toString(), "--no-progress");
        assertEquals("1", local[0]);
        assertTrue(local[2].startsWith("aloe eval: ") && local[2].contains("m.gguf: no such file"), local[2]);
        String[] method = aloe("eval", "--bench", "jsonl", "--data", "x.jsonl", "--backend", "http://127.0.0.1:9",
                "--method", "medprompt", "--out", tmp.resolve("o").toString());
        assertEquals("1", method[0]);
        assertTrue(method[2].contains("medprompt needs a knowledge base: --kb INDEX"), method[2]);
    }

    @Test
    void theLeadCanWireALocalModelThroughTheOpener() throws IOException {
        Path data = tmp.resolve("d.jsonl");
        Files.writeString(data, "{\"id\":\"x1\",\"question\":\"[x1]\",\"options\":[\"a\",\"b\"],\"answer\":\"B\"}\n");
        var replies = new ScriptedReplies().texts("[x1]", "\nAnswer: [B]");
        try (var s = new ScriptedOpenAiServer(replies)) {
            ModelOpener fake = path -> org.aloe4j.remote.OpenAiCompatibleModel.builder(s.url())
                    .backendModel("local:" + path.getFileName()).build();
            var err = new ByteArrayOutputStream();
            int code = new CommandLine(new EvalCommand(fake, new PrintStream(err, true, StandardCharsets.UTF_8)))
                    .execute("--bench", "jsonl", "--data", data.toString(), "--model", "aloe.gguf", "--method",
                            "zero-shot", "--out", tmp.resolve("o").toString(), "--no-progress");
            assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
            assertEquals("local:aloe.gguf", JSON.readTree(tmp.resolve("o/results.json").toFile()).get("model")
                    .asText());
        }
    }
}
