package org.aloe4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.aloe4j.rag.docs.RagContext;
import org.aloe4j.rag.docs.Retriever;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexCommandTest {

    @TempDir
    Path dir;

    @Test
    void indexesDocumentsThatTheRetrieverThenFinds() throws Exception {
        Path docs = Files.createDirectories(dir.resolve("docs"));
        Files.writeString(docs.resolve("thyroid.md"), "# Thyroid\n\nPrimary hypothyroidism presents with fatigue, "
                + "cold intolerance and a raised TSH. It is treated with levothyroxine.");
        Files.writeString(docs.resolve("kidney.txt"), "Hyperkalaemia with ECG changes is treated first with "
                + "intravenous calcium gluconate.");
        Files.writeString(docs.resolve("notes.jsonl"), "{\"text\": \"Naloxone reverses opioid overdose.\"}\n{\"x\": 1}\n");
        Path index = dir.resolve("index");

        CliRun run = CliRun.of("index", docs.toString(), dir.resolve("missing.pdf").toString(), "--out", index.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().startsWith("Indexed 3 files, 3 chunks into " + index + " with bge-small-en-v1.5-q in "),
                run.out());
        assertTrue(run.out().endsWith("(2 skipped); the index holds 3 chunks.\n"), run.out());
        assertTrue(run.err().contains("skipped " + dir.resolve("missing.pdf") + ": no such file"), run.err());
        assertTrue(run.err().contains("skipped " + docs.resolve("notes.jsonl") + ":2: no 'text' string field"), run.err());

        // the lead's --rag entry point: open by directory, embedder rebuilt from the index's metadata
        try (Retriever retriever = Retriever.open(index)) {
            RagContext ctx = retriever.build("What should I give for a patient who overdosed on heroin?", 1);
            assertEquals("notes.jsonl, line 1", ctx.sources().getFirst().label());
            ctx = retriever.build("Which hormone replacement is used for an underactive thyroid?", 1);
            assertEquals("thyroid.md, chunk 1", ctx.sources().getFirst().label());
        }
    }

    @Test
    void nothingToIndexAndBadSettingsAreErrors() {
        CliRun run = CliRun.of("index", dir.resolve("absent").toString(), "--out", dir.resolve("i").toString());
        assertEquals(1, run.exitCode());
        assertTrue(run.err().endsWith("aloe index: no document indexed (supported: txt, md, jsonl, pdf)\n"), run.err());
        run = CliRun.of("index", dir.toString(), "--out", dir.resolve("i").toString(), "--chunk-words", "10",
                "--overlap-words", "10");
        assertEquals(2, run.exitCode());
        assertEquals("aloe index: need maxWords >= 1 and 0 <= overlapWords < maxWords, got 10 and 10\n", run.err());
    }
}
