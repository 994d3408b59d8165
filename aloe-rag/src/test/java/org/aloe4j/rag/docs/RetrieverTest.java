package org.aloe4j.rag.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.aloe4j.rag.RagException;
import org.aloe4j.rag.embed.HashingEmbedder;
import org.aloe4j.rag.store.LuceneStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetrieverTest {

    @TempDir
    Path dir;

    @Test
    void indexThenBuildContextWithNumberedSources() throws Exception {
        Path docs = Files.createDirectories(dir.resolve("docs"));
        Files.writeString(docs.resolve("cardio.md"), "# Heart\n\nAtrial fibrillation raises stroke risk; "
                + "anticoagulation with apixaban lowers it.\n\nBeta blockers control the heart rate.");
        Files.writeString(docs.resolve("endo.txt"), "Metformin is first-line for type 2 diabetes.");
        Files.writeString(docs.resolve("notes.jsonl"), "{\"text\": \"Levothyroxine treats hypothyroidism.\"}\n");
        DocumentLoaderTest.pdf(docs.resolve("renal.pdf"), "Dialysis is needed in end-stage kidney disease.");
        Files.writeString(docs.resolve("ignored.csv"), "a,b");
        HashingEmbedder embedder = new HashingEmbedder(128);
        Path index = dir.resolve("index");
        List<String> done = new ArrayList<>();
        DocumentIndexer.Report report;
        try (LuceneStore store = LuceneStore.open(index, 128)) {
            report = new DocumentIndexer(store, embedder, new Chunker(12, 4)).index(List.of(docs),
                    new DocumentIndexer.Listener() {
                        @Override
                        public void skipped(String where, String problem) {
                            done.add("skipped " + where);
                        }

                        @Override
                        public void embedded(Path file, int d, int total) {}

                        @Override
                        public void fileDone(Path file, int chunks) {
                            done.add(file.getFileName() + " " + chunks);
                        }
                    });
        }
        // directories are walked in name order for supported types only; the .md packs "# Heart" (2 words) with the
        // 10-word paragraph, then the 6-word one (no overlap: the sentence before is longer than 4 words)
        assertEquals(List.of("cardio.md 2", "endo.txt 1", "notes.jsonl 1", "renal.pdf 1"), done);
        assertEquals(new DocumentIndexer.Report(4, 5, 0), report);

        try (LuceneStore store = LuceneStore.openReadOnly(index);
                Retriever retriever = new Retriever(store, embedder)) {
            RagContext ctx = retriever.build("Which drug is first-line for type 2 diabetes?", 2);
            assertEquals(2, ctx.sources().size());
            Source first = ctx.sources().getFirst();
            assertEquals(1, first.number());
            assertEquals(docs.resolve("endo.txt").toAbsolutePath().toString(), first.file());
            assertEquals("endo.txt, chunk 1", first.label());
            assertTrue(ctx.text().startsWith("[1] (endo.txt, chunk 1)\nMetformin is first-line for type 2 diabetes."),
                    ctx.text());
            assertTrue(ctx.text().contains("\n\n[2] ("), ctx.text());
            assertTrue(ctx.groundingPrompt().endsWith(ctx.text()));

            RetrievedChunk pdfHit = retriever.retrieve("dialysis kidney disease", 1).getFirst();
            assertEquals("page 1", pdfHit.chunk().location());
            assertEquals("renal.pdf, page 1", new Source(1, pdfHit.chunk().source(), pdfHit.chunk().location(),
                    pdfHit.chunk().position(), pdfHit.score()).label());
        }

        // indexing a changed file again replaces its chunks
        Files.writeString(docs.resolve("cardio.md"), "Short now.");
        try (LuceneStore store = LuceneStore.open(index, 128)) {
            new DocumentIndexer(store, embedder, new Chunker(12, 4)).index(List.of(docs.resolve("cardio.md")),
                    new DocumentIndexer.Listener() {
                        @Override
                        public void skipped(String where, String problem) {}

                        @Override
                        public void embedded(Path file, int d, int total) {}

                        @Override
                        public void fileDone(Path file, int chunks) {}
                    });
            assertEquals(4, store.count());
        }
        // the index recorded its embedder: another one is refused, and the fake one cannot be rebuilt by name
        try (LuceneStore store = LuceneStore.openReadOnly(index)) {
            assertEquals("index was built with embedder hashing-128, not other",
                    assertThrows(RagException.class, () -> new Retriever(store, new HashingEmbedder(128, "other")))
                            .getMessage());
        }
        assertEquals("the index was built with an unknown embedder: hashing-128",
                assertThrows(RagException.class, () -> Retriever.open(index)).getMessage());
    }
}
