package org.aloe4j.rag.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.aloe4j.rag.embed.Vectors;
import org.apache.lucene.index.CheckIndex;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An index whose writer process is killed with SIGKILL while indexing reopens with every document of its last
 * completed commit, and nothing corrupt.
 */
class LuceneCrashTest {

    static final int COMMIT_EVERY = 250;
    static final int DIMENSION = 32;
    static final int COMMITS_BEFORE_KILL = 12;

    @TempDir
    Path dir;

    @Test
    void killedWriterLeavesEveryCommittedDocumentAndACleanIndex() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector",
                "-cp", System.getProperty("java.class.path"), LuceneCrashChild.class.getName(),
                dir.toString(), Integer.toString(COMMIT_EVERY), Integer.toString(DIMENSION))
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        long lastReported = -1;
        int commits = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("committed ")) {
                    lastReported = Long.parseLong(line.substring("committed ".length()));
                    if (++commits == COMMITS_BEFORE_KILL) {
                        break;
                    }
                }
            }
            // the child is now adding the next documents (or committing them): kill it there.
            // destroyForcibly is SIGKILL on Linux: no shutdown hook, no finally block, no close() runs.
            Thread.sleep(3);
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die");
        } finally {
            child.destroyForcibly();
        }
        assertEquals(COMMITS_BEFORE_KILL, commits, "child stopped before " + COMMITS_BEFORE_KILL + " commits");
        assertEquals(137, child.exitValue(), "killed by SIGKILL (128 + 9)");

        try (FSDirectory d = FSDirectory.open(dir); CheckIndex check = new CheckIndex(d)) {
            CheckIndex.Status status = check.checkIndex();
            assertTrue(status.clean, "CheckIndex found problems");
        }

        long count;
        try (LuceneStore store = LuceneStore.openReadOnly(dir)) {
            count = store.count();
        }
        System.out.println("crash test: last reported commit " + lastReported + ", reopened with " + count + " (" + commits + " commits seen)");
        assertTrue(count >= lastReported, "reopened with " + count + " documents, last reported commit had "
                + lastReported);
        assertEquals(0, count % COMMIT_EVERY, "the index is at a commit point");

        // every surviving document is intact: ids d0..d(count-1), each with its own vector
        Set<String> ids = new HashSet<>();
        try (FSDirectory d = FSDirectory.open(dir); DirectoryReader reader = DirectoryReader.open(d)) {
            for (LeafReaderContext leaf : reader.leaves()) {
                checkLeaf(leaf.reader(), ids);
            }
        }
        assertEquals(count, ids.size());
        for (int i = 0; i < count; i++) {
            assertTrue(ids.contains("d" + i), "missing d" + i);
        }

        // and the index takes writes again: the dead writer's lock is gone
        try (LuceneStore store = LuceneStore.open(dir, DIMENSION)) {
            store.add(List.of(TestVectors.document(LuceneCrashChild.CrashSeed.SEED, (int) count, DIMENSION)));
            assertEquals(count + 1, store.count());
            StoredDocument probe = TestVectors.document(LuceneCrashChild.CrashSeed.SEED, 17, DIMENSION);
            SearchHit hit = store.nearest(probe.vector(), 1).getFirst();
            assertEquals("d17", hit.id());
            assertEquals(1.0, hit.score(), 1e-5);
        }
    }

    private static void checkLeaf(LeafReader leaf, Set<String> ids) throws Exception {
        Bits live = leaf.getLiveDocs();
        StoredFields stored = leaf.storedFields();
        FloatVectorValues vectors = leaf.getFloatVectorValues(LuceneStore.VECTOR);
        assertNotNull(vectors);
        KnnVectorValues.DocIndexIterator it = vectors.iterator();
        List<Integer> seen = new ArrayList<>();
        for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
            if (live != null && !live.get(doc)) {
                continue;
            }
            String id = stored.document(doc).get(LuceneStore.ID);
            int n = Integer.parseInt(id.substring(1));
            float[] expected = Vectors.normalized(
                    TestVectors.document(LuceneCrashChild.CrashSeed.SEED, n, DIMENSION).vector());
            assertArrayEquals(expected, vectors.vectorValue(it.index()), 0f, "vector of " + id);
            assertEquals("document number " + n, stored.document(doc).get(LuceneStore.TEXT));
            assertFalse(ids.contains(id), "duplicate " + id);
            ids.add(id);
            seen.add(doc);
        }
        assertEquals(leaf.numDocs(), seen.size(), "every live document has a vector");
    }
}
