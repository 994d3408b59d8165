package org.aloe4j.rag.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.aloe4j.rag.RagException;
import org.apache.lucene.index.CheckIndex;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LuceneStoreTest {

    @TempDir
    Path dir;

    private static List<StoredDocument> collection(int n, int dim) {
        List<StoredDocument> docs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            docs.add(TestVectors.document(7, i, dim));
        }
        return docs;
    }

    @Test
    void nearestEqualsBruteForceCosineRanking() {
        int dim = 48;
        List<StoredDocument> docs = collection(1500, dim);
        Random rng = new Random(3);
        // commits every 400 documents: four segments are searched and merged into one ranking
        try (LuceneStore store = LuceneStore.open(dir, dim, LuceneStore.Options.DEFAULT.withCommitEvery(400))) {
            store.add(docs);
            assertEquals(1500, store.count());
            int exactTop10 = 0;
            for (int q = 0; q < 20; q++) {
                float[] query = TestVectors.random(rng, dim);
                List<TestVectors.Ranked> expected = TestVectors.bruteForce(docs, query, 10);
                List<SearchHit> hits = store.nearest(query, 10);
                assertEquals(10, hits.size());
                // the best hit is always found, with the cosine as its score
                assertEquals(expected.get(0).id(), hits.get(0).id());
                for (SearchHit h : hits) {
                    double cos = org.aloe4j.rag.embed.Vectors.cosine(docs.get(Integer.parseInt(h.field("n"))).vector(),
                            query);
                    assertEquals(cos, h.score(), 1e-5, "score of " + h.id() + " is its cosine");
                }
                for (int i = 1; i < hits.size(); i++) {
                    assertTrue(hits.get(i - 1).score() >= hits.get(i).score(), "best first");
                }
                if (expected.stream().map(TestVectors.Ranked::id).toList()
                        .equals(hits.stream().map(SearchHit::id).toList())) {
                    exactTop10++;
                }
            }
            // HNSW is approximate; with breadth 64 on 1500 vectors nearly every top-10 is exact
            assertTrue(exactTop10 >= 18, "exact top-10 lists: " + exactTop10 + "/20");
        }
    }

    @Test
    void storedFieldsTextAndMetadataSurviveReopening() {
        try (LuceneStore store = LuceneStore.open(dir, 3)) {
            store.add(List.of(new StoredDocument("a", "Insulin lowers blood glucose.", new float[] {3, 0, 0},
                    Map.of("source", "endo.md", "position", "0"))));
            store.putMetadata("embedder", "test-embedder");
        }
        try (LuceneStore store = LuceneStore.openReadOnly(dir)) {
            assertEquals(3, store.dimension());
            assertEquals(1, store.count());
            assertEquals(Map.of("embedder", "test-embedder"), store.metadata());
            SearchHit hit = store.nearest(new float[] {1, 0.01f, 0}, 1).getFirst();
            assertEquals("a", hit.id());
            assertEquals("Insulin lowers blood glucose.", hit.text());
            assertEquals(Map.of("source", "endo.md", "position", "0"), hit.fields());
            assertThrows(RagException.class, () -> store.add(List.of()));
        }
    }

    @Test
    void sameIdReplacesAndDeleteWhereRemoves() {
        try (LuceneStore store = LuceneStore.open(dir, 2)) {
            store.add(List.of(new StoredDocument("x", "old", new float[] {1, 0}, Map.of("source", "s1")),
                    new StoredDocument("y", "other", new float[] {0, 1}, Map.of("source", "s2"))));
            store.add(List.of(new StoredDocument("x", "new", new float[] {1, 1}, Map.of("source", "s1"))));
            assertEquals(2, store.count());
            SearchHit x = store.nearest(new float[] {1, 1}, 1).getFirst();
            assertEquals("new", x.text());
            assertEquals(1.0, x.score(), 1e-6);
            store.deleteWhere("source", "s1");
            assertEquals(1, store.count());
            assertEquals("y", store.nearest(new float[] {1, 1}, 5).getFirst().id());
        }
    }

    @Test
    void bm25FindsTheDocumentWithTheQueryTermsStemmed() {
        try (LuceneStore store = LuceneStore.open(dir, 2)) {
            store.add(List.of(
                    new StoredDocument("1", "Metformin is the first-line drug for type 2 diabetes.", new float[] {1, 0}, null),
                    new StoredDocument("2", "Beta blockers reduce mortality after myocardial infarction.",
                            new float[] {0, 1}, null),
                    new StoredDocument("3", "Diabetic ketoacidosis needs insulin and fluids.", new float[] {1, 1}, null)));
            List<SearchHit> hits = store.textSearch("which drugs treat diabetes?", 3);
            // "drugs" -> drug, "diabetes" and "diabetic" -> diabet: 1 has both terms, 3 one, 2 none
            assertEquals(List.of("1", "3"), hits.stream().map(SearchHit::id).toList());
            assertEquals(List.of(), store.textSearch("the of and", 3)); // stop words only
            // hybrid: BM25 says 1, the vector says 2; both appear, fused by reciprocal rank
            List<SearchHit> fused = store.hybrid("diabetes drug", new float[] {0, 1}, 3);
            // 1: BM25 rank 1 + vector rank 3; 3: rank 2 + rank 2; 2: vector rank 1 only
            assertEquals(List.of("1", "3", "2"), fused.stream().map(SearchHit::id).toList());
            assertEquals(1.0 / 61 + 1.0 / 63, fused.stream().filter(h -> h.id().equals("1")).findFirst().orElseThrow()
                    .score(), 1e-12); // rank 1 in BM25, rank 3 by vector
        }
    }

    @Test
    void wrongDimensionAndZeroVectorsAreRefusedWithTheirIds() {
        try (LuceneStore store = LuceneStore.open(dir, 4)) {
            RagException e = assertThrows(RagException.class,
                    () -> store.add(List.of(new StoredDocument("q7", "t", new float[3], null))));
            assertEquals(dir + ": document q7 has a vector of 3 values, the index holds 4", e.getMessage());
            e = assertThrows(RagException.class,
                    () -> store.add(List.of(new StoredDocument("z", "t", new float[4], null))));
            assertTrue(e.getMessage().contains("document z: vector has no direction"), e.getMessage());
        }
        RagException e = assertThrows(RagException.class, () -> LuceneStore.open(dir, 8));
        assertEquals(dir + ": index holds vectors of dimension 4, not 8 (was it built with another embedder?)",
                e.getMessage());
    }

    @Test
    void secondWriterIsRefusedAndGarbageIsReportedNotThrownRaw() throws Exception {
        try (LuceneStore store = LuceneStore.open(dir, 2)) {
            RagException e = assertThrows(RagException.class, () -> LuceneStore.open(dir, 2));
            assertEquals(dir + ": index is open for writing in another process", e.getMessage());
        }
        Path other = Files.createDirectories(dir.resolve("garbage"));
        Files.writeString(other.resolve("segments_1"), "this is not a Lucene commit");
        RagException e = assertThrows(RagException.class, () -> LuceneStore.openReadOnly(other));
        assertTrue(e.getMessage().startsWith(other + ": "), e.getMessage());
        assertThrows(RagException.class, () -> LuceneStore.openReadOnly(dir.resolve("absent")));
    }

    @Test
    void forceMergeLeavesACleanSingleSegmentIndex() throws Exception {
        try (LuceneStore store = LuceneStore.open(dir, 16, LuceneStore.Options.DEFAULT.withCommitEvery(100))) {
            store.add(collection(450, 16));
            store.forceMerge();
            assertEquals(450, store.count());
        }
        try (FSDirectory d = FSDirectory.open(dir); CheckIndex check = new CheckIndex(d)) {
            CheckIndex.Status status = check.checkIndex();
            assertTrue(status.clean);
            assertEquals(1, status.numSegments);
        }
    }

    @Test
    void readersRacingTheFirstSearchAfterAWriteAllSeeIt() throws Exception {
        // several threads searching at once right after an add must all see it, not just the one that refreshes
        int dim = 16;
        try (LuceneStore store = LuceneStore.open(dir.resolve("race"), dim)) {
            int threads = 8;
            var pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
            try {
                for (int round = 1; round <= 20; round++) {
                    List<StoredDocument> batch = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        batch.add(TestVectors.document(round, round * 1000 + i, dim));
                    }
                    store.add(batch);
                    long expected = 50L * round;
                    var start = new java.util.concurrent.CountDownLatch(1);
                    List<java.util.concurrent.Future<Long>> seen = new ArrayList<>();
                    for (int t = 0; t < threads; t++) {
                        seen.add(pool.submit(() -> {
                            start.await();
                            return store.count();
                        }));
                    }
                    start.countDown();
                    for (var f : seen) {
                        assertEquals(expected, f.get(), "round " + round);
                    }
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
