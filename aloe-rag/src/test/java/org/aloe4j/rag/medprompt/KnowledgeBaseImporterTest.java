package org.aloe4j.rag.medprompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aloe4j.rag.RagException;
import org.aloe4j.rag.embed.HashingEmbedder;
import org.aloe4j.rag.store.LuceneStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KnowledgeBaseImporterTest {

    @TempDir
    Path dir;

    @Test
    void badLinesAreReportedByNumberAndTheRestIsImported() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            lines.add("{\"question\": \"Question number " + i + " about fever?\", \"options\": {\"A\": \"yes\", "
                    + "\"B\": \"no\"}, \"reasoning\": \"Think. Answer: [A]\", \"answer\": \"A\"}");
        }
        lines.set(3, "{\"question\": \"broken\"");                  // line 4: not JSON
        lines.add(6, "");                                           // line 7: blank, ignored
        lines.set(8, lines.get(8).replace("\"answer\": \"A\"", "\"answer\": \"Z\"")); // line 9: bad answer
        Path file = dir.resolve("kb.jsonl");
        Files.write(file, lines);

        List<String> bad = new ArrayList<>();
        List<long[]> progress = new ArrayList<>();
        KnowledgeBaseImporter.Report report;
        try (KnowledgeBase kb = new KnowledgeBase(LuceneStore.open(dir.resolve("index"), 64), new HashingEmbedder(64))) {
            report = new KnowledgeBaseImporter(kb, 3).importJsonl(file, new KnowledgeBaseImporter.Listener() {
                @Override
                public void badLine(Path f, long line, String problem) {
                    bad.add(f.getFileName() + ":" + line + ": " + problem);
                }

                @Override
                public void progress(long linesRead, long examplesStored) {
                    progress.add(new long[] {linesRead, examplesStored});
                }
            });
            assertEquals(8, kb.size());
        }
        assertEquals(new KnowledgeBaseImporter.Report(10, 8, 2), report);
        assertEquals(2, bad.size());
        assertEquals("kb.jsonl:4: ", bad.get(0).substring(0, 12));
        assertEquals("kb.jsonl:9: answer 'Z' is none of the options [A, B]", bad.get(1));
        // batches of 3: stored 3, 6, then the last 2
        assertEquals(List.of(3L, 6L, 8L), progress.stream().map(p -> p[1]).toList());

        // the knowledge base opens read-only with the embedder it recorded... which this test's fake is not
        RagException e = assertThrows(RagException.class, () -> KnowledgeBase.open(dir.resolve("index")));
        assertEquals("the index was built with an unknown embedder: hashing-64", e.getMessage());
    }

    @Test
    void missingFileIsOneLine() {
        try (KnowledgeBase kb = new KnowledgeBase(LuceneStore.open(dir.resolve("index"), 8), new HashingEmbedder(8))) {
            Path absent = dir.resolve("absent.jsonl");
            RagException e = assertThrows(RagException.class,
                    () -> new KnowledgeBaseImporter(kb, 10).importJsonl(absent, null));
            assertEquals(absent + ": no such file", e.getMessage());
        }
    }
}
