package org.aloe4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.aloe4j.rag.medprompt.KnowledgeBase;
import org.aloe4j.rag.medprompt.RetrievedExample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MedpromptImportCommandTest {

    @TempDir
    Path dir;

    @Test
    void importsGoodLinesReportsBadOnesByNumberAndTheBaseAnswersQueries() throws Exception {
        Path file = dir.resolve("kb.jsonl");
        Files.write(file, List.of(
                "{\"question\": \"Which vitamin deficiency causes scurvy?\", \"options\": {\"A\": \"Vitamin C\", "
                        + "\"B\": \"Vitamin D\"}, \"reasoning\": \"Collagen synthesis needs ascorbate. Answer: [A]\", "
                        + "\"answer\": \"A\"}",
                "{\"question\": \"What is the antidote for opioid overdose?\", \"options\": [\"Naloxone\", "
                        + "\"Flumazenil\", \"Atropine\"], \"reasoning\": \"Naloxone is an opioid antagonist. "
                        + "Answer: [A]\", \"answer\": \"A\"}",
                "{\"question\": \"no options\", \"reasoning\": \"r\", \"answer\": \"A\"}",
                "",
                "{\"question\": \"Which drug is first-line for type 2 diabetes?\", \"options\": {\"A\": \"Insulin\", "
                        + "\"B\": \"Metformin\"}, \"reasoning\": \"Metformin first. Answer: [B]\", \"answer\": \"B\"}",
                "not json at all"));
        Path index = dir.resolve("kb-index");
        CliRun run = CliRun.of("medprompt", "import", file.toString(), "--index", index.toString(), "--batch", "2");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.err().contains(file + ":3: missing field 'options' (skipped)"), run.err());
        assertTrue(run.err().contains(file + ":6: not JSON: "), run.err());
        assertTrue(run.out().startsWith("Imported 3 examples from " + file + " into " + index
                + " with bge-small-en-v1.5-q in "), run.out());
        assertTrue(run.out().endsWith("(2 bad lines skipped); the knowledge base holds 3 examples.\n"), run.out());

        // importing again replaces (ids derive from question + options), it does not duplicate
        run = CliRun.of("medprompt", "import", file.toString(), "--index", index.toString());
        assertTrue(run.out().endsWith("the knowledge base holds 3 examples.\n"), run.out());

        try (KnowledgeBase kb = KnowledgeBase.open(index)) {
            List<RetrievedExample> found = kb.nearest("A heroin user is not breathing. What reverses it?", 2);
            RetrievedExample best = found.getLast();
            assertEquals("What is the antidote for opioid overdose?", best.example().question());
            assertEquals(List.of("A", "B", "C"), List.copyOf(best.example().options().keySet()));
            assertEquals("A", best.example().answer());
            assertTrue(found.getFirst().similarity() <= best.similarity());
        }
    }

    @Test
    void aDocumentIndexIsNotAKnowledgeBase() throws Exception {
        Path doc = Files.writeString(dir.resolve("a.txt"), "Some text.");
        Path index = dir.resolve("idx");
        assertEquals(0, CliRun.of("index", doc.toString(), "--out", index.toString()).exitCode());
        Path file = Files.writeString(dir.resolve("kb.jsonl"), "{\"question\": \"q\", \"options\": [\"a\"], "
                + "\"reasoning\": \"r\", \"answer\": \"A\"}\n");
        CliRun run = CliRun.of("medprompt", "import", file.toString(), "--index", index.toString());
        assertEquals(1, run.exitCode());
        assertEquals("aloe medprompt import: index is a document-index, not a Medprompt knowledge base\n", run.err());
    }
}
