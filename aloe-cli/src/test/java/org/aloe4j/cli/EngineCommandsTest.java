package org.aloe4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.aloe4j.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The foundation and engine commands, run through {@link Main#run} on fixture files. */
class EngineCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Run(int exit, String out, String err) {}

    private static synchronized Run run(String stdin, String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        InputStream oldIn = System.in;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            System.setIn(oldIn);
        }
    }

    @Test
    void tokenizeAndDecodeThroughTheGgufVocabulary() {
        String gguf = Fixtures.file("models/tiny-qwen2-realvocab.Q8_0.gguf").toString();
        Run r = run("Hello world! 123 <|im_start|>", "tokenize", "--model", gguf);
        assertEquals(0, r.exit(), r.err());
        // Qwen2.5: "Hello"=9707 " world"=1879 "!"=0 " "=220 "1","2","3" = 16,17,18; the control text stays plain text
        assertTrue(r.out().startsWith("9707 1879 0 220 16 17 18 "), r.out());
        assertFalse(r.out().contains("151644"), r.out());
        Run d = run(r.out(), "tokenize", "--model", gguf, "--decode");
        assertEquals("Hello world! 123 <|im_start|>", d.out());
    }

    @Test
    void renderPrintsTheTemplateOutputExactly(@TempDir Path tmp) throws Exception {
        JsonNode cases = JSON.readTree(Fixtures.file("chat-templates/chat_template_cases.json").toFile());
        for (JsonNode c : cases.get("cases")) {
            if (!c.get("name").asText().equals("gen:qwen2.5:aloe-system-user-genprompt")) {
                continue;
            }
            Path msgs = tmp.resolve("m.json");
            Files.writeString(msgs, c.get("messages").toString());
            Run r = run("", "render", "--model", Fixtures.file("tokenizers/qwen2.5").toString(), "--messages",
                    msgs.toString(), "--add-generation-prompt");
            assertEquals(0, r.exit(), r.err());
            assertEquals(c.get("expected").asText(), r.out());
            return;
        }
        throw new AssertionError("case not found");
    }

    @Test
    void renderAddsAloesSystemPromptWhenTheConversationHasNone(@TempDir Path tmp) throws Exception {
        Path msgs = tmp.resolve("m.json");
        Files.writeString(msgs, "[{\"role\":\"user\",\"content\":\"Hi\"}]");
        Run r = run("", "render", "--model", Fixtures.file("tokenizers/qwen2.5").toString(), "--messages", msgs.toString());
        assertTrue(r.out().startsWith("<|im_start|>system\nYou are an expert medical assistant named Aloe"), r.out());
        Run raw = run("", "render", "--model", Fixtures.file("tokenizers/qwen2.5").toString(), "--messages", msgs.toString(), "--no-default-system");
        assertTrue(raw.out().startsWith("<|im_start|>system\nYou are Qwen"), raw.out());
    }

    @Test
    void inspectSummarisesAGguf() {
        Run r = run("", "inspect", Fixtures.file("models/tiny-qwen2.Q4_K_M.gguf").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("architecture:     qwen2"), r.out());
        assertTrue(r.out().contains("layers:           2"), r.out());
        assertTrue(r.out().matches("(?s).*Q4_K\\s+13 tensors.*"), r.out());
        assertTrue(r.out().matches("(?s).*Q6_K\\s+3 tensors.*"), r.out());
    }

    @Test
    void logitsMatchesTheReferenceAtEveryPosition() throws Exception {
        JsonNode ref = JSON.readTree(Fixtures.file("models/tiny-llama3rope.F32.json").toFile());
        StringBuilder ids = new StringBuilder();
        ref.get("tokens").forEach(t -> ids.append(ids.isEmpty() ? "" : ",").append(t.asInt()));
        Run r = run("", "logits", "--model", Fixtures.file("models/tiny-llama3rope.F32.gguf").toString(), "--tokens", ids.toString(), "--all-positions");
        assertEquals(0, r.exit(), r.err());
        JsonNode got = JSON.readTree(r.out());
        assertEquals(ref.get("tokens"), got.get("tokens"));
        assertEquals(16, got.get("logits").size());
        double max = 0;
        for (int p = 0; p < 16; p++) {
            for (int i = 0; i < 1000; i++) {
                max = Math.max(max, Math.abs(got.get("logits").get(p).get(i).asDouble() - ref.get("logits").get(p).get(i).asDouble()));
            }
        }
        assertTrue(max < 2e-5, "max diff " + max);
    }

    @Test
    void generateReproducesTheStories260KText() throws Exception {
        JsonNode ref = JSON.readTree(Fixtures.file("models/stories260K.json").toFile());
        Run r = run("", "generate", "--model", Fixtures.file("models/stories260K.gguf").toString(), "--tokens", "1",
                "--greedy", "--max-tokens", "64", "--print-ids");
        assertEquals(0, r.exit(), r.err());
        StringBuilder ids = new StringBuilder();
        ref.get("greedy_next_tokens").forEach(t -> ids.append(ids.isEmpty() ? "" : " ").append(t.asInt()));
        assertEquals(ref.get("greedy_text").asText() + "\n" + ids + "\n", r.out());
    }

    @Test
    void aBrokenModelFileIsOneLineOnStderr(@TempDir Path tmp) throws Exception {
        Path bad = tmp.resolve("broken.gguf");
        byte[] whole = Files.readAllBytes(Fixtures.file("models/stories260K.gguf"));
        Files.write(bad, java.util.Arrays.copyOf(whole, whole.length / 3));
        for (String cmd : new String[] {"generate", "logits", "inspect"}) {
            Run r = cmd.equals("inspect") ? run("", cmd, bad.toString())
                    : run("", cmd, "--model", bad.toString(), "--tokens", "1");
            assertEquals(2, r.exit(), cmd + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), cmd + ": " + r.err());
            assertTrue(r.err().contains("broken.gguf"), r.err());
            assertFalse(r.err().contains("Exception"), r.err());
        }
        Run missing = run("", "generate", "--model", tmp.resolve("nope.gguf").toString(), "--prompt", "x");
        assertEquals(2, missing.exit());
        assertTrue(missing.err().contains("no such file"), missing.err());
    }
}
