package org.aloe4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.aloe4j.Fixtures;
import org.aloe4j.formats.gguf.GGMLType;
import org.aloe4j.formats.gguf.GGUFFile;
import org.aloe4j.generation.ChatMessage;
import org.aloe4j.generation.ChatRequest;
import org.aloe4j.generation.GenerationResult;
import org.aloe4j.generation.LanguageModel;
import org.aloe4j.generation.LocalModel;
import org.aloe4j.generation.SamplingSettings;
import org.aloe4j.hub.FakeHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code aloe convert} and {@code aloe synth} through {@link Main#run}. */
class ConvertCommandTest {

    record Run(int exit, String err) {}

    private static synchronized Run run(String... args) {
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(oldErr);
        }
    }

    @Test
    void convertsAFixtureDirectoryThatTheEngineThenChatsWith(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("tiny-qwen2.Q4_K_M.gguf");
        Run r = run("convert", Fixtures.file("hf/tiny-qwen2").toString(), "--type", "q4_k_m", "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("wrote " + out), r.err());
        try (GGUFFile g = GGUFFile.open(out)) {
            assertEquals("tiny-qwen2", g.getString("general.name"));
            assertEquals(GGMLType.Q6_K, g.tensor("output.weight").type());
            assertEquals(GGMLType.Q4_K, g.tensor("blk.0.attn_q.weight").type());
        }
        try (LanguageModel m = LocalModel.open(out)) {
            GenerationResult g = m.chat(ChatRequest.of(List.of(ChatMessage.user("Fever and cough?"))).withSampling(
                    SamplingSettings.greedy(4)), null);
            assertTrue(g.usage().completionTokens() > 0, g.toString());
        }
    }

    @Test
    void convertsAHubRepositoryThroughTheCache(@TempDir Path tmp) throws Exception {
        Path hf = Fixtures.file("hf/tiny-qwen2");
        try (FakeHub hub = new FakeHub()) {
            FakeHub.FakeRepo repo = hub.addRepo("HPAI-BSC/tiny-qwen2");
            for (String f : new String[] {"config.json", "generation_config.json", "tokenizer.json",
                    "tokenizer_config.json"}) {
                repo.add(f, Files.readAllBytes(hf.resolve(f)), false);
            }
            repo.add("model.safetensors", Files.readAllBytes(hf.resolve("model.safetensors")), true);
            hub.publish(repo);
            Map<String, String> env = Map.of("HF_HOME", tmp.resolve("hf-home").toString(), "HF_ENDPOINT",
                    hub.endpoint().toString());
            Path out = tmp.resolve("from-hub.Q8_0.gguf");
            int code;
            PrintStream oldErr = System.err;
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            try {
                System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
                code = new CommandLine(new ConvertCommand(env)).execute("HPAI-BSC/tiny-qwen2", "--type", "Q8_0",
                        "--out", out.toString());
            } finally {
                System.setErr(oldErr);
            }
            assertEquals(0, code, err.toString(StandardCharsets.UTF_8));
            try (GGUFFile g = GGUFFile.open(out)) {
                assertEquals("tiny-qwen2", g.getString("general.name"));
                assertEquals(GGMLType.Q8_0, g.tensor("token_embd.weight").type());
            }
            // the same bytes as converting the local directory
            Path local = tmp.resolve("local.Q8_0.gguf");
            assertEquals(0, run("convert", hf.toString(), "--type", "Q8_0", "--out", local.toString()).exit());
            assertEquals(-1, Files.mismatch(out, local));
        }
    }

    @Test
    void clearErrorsForBadInput(@TempDir Path tmp) throws Exception {
        Run badType = run("convert", Fixtures.file("hf/tiny-qwen2").toString(), "--type", "Q3_K", "--out",
                tmp.resolve("x.gguf").toString());
        assertEquals(2, badType.exit());
        assertTrue(badType.err().contains("unknown type 'Q3_K'") && badType.err().contains("Q4_K_M"), badType.err());
        Run gguf = run("convert", Fixtures.file("models/tiny-qwen2.F32.gguf").toString(), "--type", "Q8_0", "--out",
                tmp.resolve("y.gguf").toString());
        assertEquals(2, gguf.exit());
        assertTrue(gguf.err().contains("already a GGUF file"), gguf.err());
        Path noWeights = Files.createDirectories(tmp.resolve("empty"));
        Files.copy(Fixtures.file("hf/tiny-qwen2/config.json"), noWeights.resolve("config.json"));
        Run empty = run("convert", noWeights.toString(), "--type", "F16", "--out", tmp.resolve("z.gguf").toString());
        assertEquals(2, empty.exit());
        assertTrue(empty.err().contains("model.safetensors"), empty.err());
        assertEquals(1, empty.err().strip().lines().count(), empty.err());
        assertFalse(Files.exists(tmp.resolve("z.gguf")));
        assertFalse(Files.exists(tmp.resolve("z.gguf.partial")));
    }

    @Test
    void synthTinyAndDryRunOfA7bShape(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("tiny.gguf");
        Run r = run("synth", "--arch", "llama", "--preset", "tiny", "--type", "Q4_0", "--seed", "3", "--out",
                out.toString());
        assertEquals(0, r.exit(), r.err());
        try (LanguageModel m = LocalModel.open(out)) {
            GenerationResult g = m.chat(ChatRequest.of(List.of(ChatMessage.user("hello"))).withSampling(
                    SamplingSettings.greedy(3)), null);
            assertTrue(g.usage().promptTokens() > 0, g.toString());
        }
        Run dry = run("synth", "--preset", "qwen2.5-7b", "--type", "Q4_0", "--out", tmp.resolve("big.gguf").toString(),
                "--dry-run");
        assertEquals(0, dry.exit(), dry.err());
        assertTrue(dry.err().contains("4.425 GB"), dry.err());
        assertFalse(Files.exists(tmp.resolve("big.gguf")));
        Run conflict = run("synth", "--arch", "llama", "--preset", "qwen2.5-7b", "--type", "Q4_0", "--out",
                tmp.resolve("c.gguf").toString());
        assertEquals(2, conflict.exit());
        assertTrue(conflict.err().contains("qwen2"), conflict.err());
    }
}
