package org.aloe4j.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.aloe4j.Fixtures;
import org.junit.jupiter.api.Test;

/**
 * Load and encode times (printed), with bounds loose enough for a busy 2-core machine that still catch a
 * quadratic algorithm or a pathological regex: long words, long whitespace runs, a megabyte of text.
 */
class TokenizerSpeedTest {

    @Test
    void loadAndEncodeTimes() throws IOException {
        long t0 = System.nanoTime();
        Tokenizer qwen = Tokenizers.fromHfDirectory(Fixtures.file("tokenizers/qwen2.5"));
        long loadQwen = System.nanoTime() - t0;
        t0 = System.nanoTime();
        Tokenizer llama = Tokenizers.fromHfDirectory(Fixtures.file("tokenizers/llama3"));
        long loadLlama = System.nanoTime() - t0;
        Path gguf = Fixtures.file("models/tiny-qwen2-realvocab.Q8_0.gguf");
        var metadata = TokenizerFixtures.metadata(gguf);
        t0 = System.nanoTime();
        Tokenizers.fromGGUFMetadata(metadata, gguf);
        long loadGGUF = System.nanoTime() - t0;

        String text = Files.readString(Fixtures.file("README.md")).substring(0, 4096);
        t0 = System.nanoTime();
        int[] ids = qwen.encode(text);
        long firstEncode = System.nanoTime() - t0;
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 20; i++) {
            qwen.streamingDecoder(); // keep the loop honest: fresh objects each round
            long s = System.nanoTime();
            ids = qwen.encode(text);
            best = Math.min(best, System.nanoTime() - s);
        }
        long llamaStart = System.nanoTime();
        int[] llamaIds = llama.encode(text);
        long llamaFirst = System.nanoTime() - llamaStart;
        System.out.printf("tokenizer load: qwen2.5 tokenizer.json %d ms, llama3 tokenizer.json %d ms, "
                        + "qwen2.5 GGUF metadata %d ms; encode 4 KB: first %.2f ms, best of 20 %.2f ms "
                        + "(%d tokens); llama3 first %.2f ms%n",
                loadQwen / 1_000_000, loadLlama / 1_000_000, loadGGUF / 1_000_000, firstEncode / 1e6, best / 1e6,
                ids.length, llamaFirst / 1e6);
        assertEquals(text, qwen.decode(ids));
        assertEquals(text, llama.decode(llamaIds));
        assertTrue(loadQwen < 10_000_000_000L, "loading Qwen's tokenizer.json took " + loadQwen / 1_000_000 + " ms");
        assertTrue(best < 100_000_000L, "encoding 4 KB took " + best / 1_000_000 + " ms");
    }

    @Test
    void pathologicalInputsStayFast() {
        Tokenizer qwen = TokenizerFixtures.qwenJson();
        String[] inputs = {
            "a".repeat(200_000),                                   // one 200k-character word
            "x9".repeat(100_000),                                  // letters and digits alternating
            " ".repeat(200_000) + "end",                           // a long whitespace run before a word
            "\n \t".repeat(50_000),                                // mixed whitespace
            "!?".repeat(100_000),                                  // one long symbol run
            "🦙".repeat(50_000),                                   // 4-byte characters
            "The patient has a fever and cough. ".repeat(30_000),  // ~1 MB of ordinary text
        };
        for (String input : inputs) {
            long t0 = System.nanoTime();
            int[] ids = qwen.encode(input);
            long took = System.nanoTime() - t0;
            assertEquals(input, qwen.decode(ids));
            assertTrue(took < 5_000_000_000L, "encoding " + input.length() + " chars starting "
                    + TokenizerVectorsTest.escape(input.substring(0, 8)) + " took " + took / 1_000_000 + " ms");
        }
    }
}
