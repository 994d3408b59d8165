package org.aloe4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.aloe4j.remote.OpenAiCompatibleModel;
import org.aloe4j.remote.RetryPolicy;
import org.aloe4j.remote.ScriptedOpenAiServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code aloe chat --rag INDEX}: passages retrieved for each question go to the model, sources are listed. */
class ChatRagTest {

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {}

    private static synchronized Run chat(ChatCommand.Opener opener, String stdin, String... args) {
        PrintStream oldOut = System.out;
        InputStream oldIn = System.in;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            CommandLine cl = new CommandLine(new ChatCommand(opener));
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(oldOut);
            System.setIn(oldIn);
        }
    }

    @Test
    void eachQuestionGetsItsPassagesAndTheAnswerListsItsSources() throws Exception {
        Path docs = Files.createDirectories(dir.resolve("docs"));
        Files.writeString(docs.resolve("opioids.md"), "# Opioid overdose\n\nNaloxone reverses opioid overdose and is "
                + "given intravenously, intramuscularly or intranasally.");
        Files.writeString(docs.resolve("thyroid.txt"), "Primary hypothyroidism is treated with levothyroxine.");
        Path index = dir.resolve("index");
        assertEquals(0, CliRun.of("index", docs.toString(), "--out", index.toString()).exitCode());

        try (ScriptedOpenAiServer server = new ScriptedOpenAiServer(
                call -> ScriptedOpenAiServer.text("Give naloxone [1]."))) {
            ChatCommand.Opener opener = (model, ctx) -> OpenAiCompatibleModel.builder(server.url())
                    .backendModel("Qwen2.5-Aloe-Beta-7B").retry(new RetryPolicy(0, Duration.ZERO, Duration.ZERO))
                    .build();
            Run r = chat(opener, "What reverses a heroin overdose?\nAnd for an underactive thyroid?\n/exit\n",
                    "--model", "scripted", "--rag", index.toString(), "--rag-k", "1");
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains("Answers are grounded in " + index + " (2 passages)."), r.out());
            assertTrue(r.out().contains("aloe> Give naloxone [1].\nSources:\n  [1] opioids.md, chunk 1 (score 0."),
                    r.out());
            assertTrue(r.out().contains("Sources:\n  [1] thyroid.txt, chunk 1 (score 0."), r.out());

            var calls = server.calls().stream().filter(c -> c.path().equals("/v1/chat/completions")).toList();
            assertEquals(2, calls.size());
            JsonNode first = calls.get(0).body().get("messages");
            String grounded = first.get(first.size() - 1).get("content").asText();
            assertTrue(grounded.startsWith("Use the numbered passages below to answer. Cite the passages"), grounded);
            assertTrue(grounded.contains("[1] (opioids.md, chunk 1)\n# Opioid overdose"), grounded);
            assertTrue(grounded.endsWith("\n\nQuestion: What reverses a heroin overdose?"), grounded);
            assertFalse(grounded.contains("levothyroxine"), "k = 1: only the best passage");
            // the second turn: its own passage; the first question stays in the history as typed
            JsonNode second = calls.get(1).body().get("messages");
            assertEquals("What reverses a heroin overdose?", second.get(1).get("content").asText());
            assertEquals("Give naloxone [1].", second.get(2).get("content").asText());
            String grounded2 = second.get(3).get("content").asText();
            assertTrue(grounded2.contains("levothyroxine"), grounded2);
            assertFalse(grounded2.contains("Naloxone reverses"), grounded2);
        }
    }

    @Test
    void aMissingIndexIsAOneLineError() {
        Run r = chat((model, ctx) -> {
            throw new AssertionError("the model is not opened when the index is missing");
        }, "", "--model", "m", "--rag", dir.resolve("none").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains(dir.resolve("none") + ": no index there"), r.err());
    }
}
