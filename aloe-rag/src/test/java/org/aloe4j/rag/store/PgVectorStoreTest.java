package org.aloe4j.rag.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import org.aloe4j.rag.RagException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@link PgVectorStore} against a real pgvector (PGlite over the PostgreSQL wire protocol on loopback). */
class PgVectorStoreTest {

    static PgliteServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = PgliteServer.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    static Properties credentials() {
        Properties p = new Properties();
        p.setProperty("user", "postgres");
        p.setProperty("password", "postgres");
        return p;
    }

    @Test
    void hnswKnnTopKEqualsBruteForceCosineRanking() throws Exception {
        int dim = 24;
        List<StoredDocument> docs = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            docs.add(TestVectors.document(11, i, dim));
        }
        // default JDBC settings: the extended query protocol (prepared statements with bound parameters)
        try (PgVectorStore store = PgVectorStore.open(server.jdbcUrl(""), credentials(), "knn_docs", dim, 100)) {
            for (int from = 0; from < docs.size(); from += 100) {
                store.add(docs.subList(from, from + 100));
            }
            assertEquals(400, store.count());
            Random rng = new Random(5);
            for (int q = 0; q < 15; q++) {
                float[] query = TestVectors.random(rng, dim);
                List<TestVectors.Ranked> expected = TestVectors.bruteForce(docs, query, 10);
                List<SearchHit> hits = store.nearest(query, 10);
                assertEquals(expected.stream().map(TestVectors.Ranked::id).toList(),
                        hits.stream().map(SearchHit::id).toList(), "query " + q);
                for (int i = 0; i < hits.size(); i++) {
                    // pgvector computes in float32: 1 - cosine distance agrees with the double cosine to 1e-5
                    assertEquals(expected.get(i).cosine(), hits.get(i).score(), 1e-5);
                }
                assertEquals(Map.of("n", hits.getFirst().id().substring(1)), hits.getFirst().fields());
            }
        }
        // the index the queries can use is a real HNSW index with cosine ops
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(""), credentials());
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT indexdef FROM pg_indexes WHERE tablename = 'knn_docs' "
                        + "AND indexname = 'knn_docs_embedding_hnsw'")) {
            assertTrue(rs.next());
            assertTrue(rs.getString(1).contains("USING hnsw (embedding vector_cosine_ops)"), rs.getString(1));
        }
        // and with sequential scans off, the planner serves the same ORDER BY ... LIMIT from that index
        try (Connection c = DriverManager.getConnection(server.jdbcUrl(""), credentials());
                Statement s = c.createStatement()) {
            s.execute("SET enable_seqscan = off");
            StringBuilder plan = new StringBuilder();
            try (ResultSet rs = s.executeQuery("EXPLAIN SELECT id FROM knn_docs ORDER BY embedding <=> '"
                    + PgVectorStore.vectorLiteral(TestVectors.random(new Random(1), dim)).getValue() + "' LIMIT 10")) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
            assertTrue(plan.toString().contains("knn_docs_embedding_hnsw"), plan.toString());
        }
    }

    @Test
    void upsertDeleteMetadataAndDimensionCheckWithTheSimpleQueryProtocol() {
        String url = server.jdbcUrl("&preferQueryMode=simple");
        try (PgVectorStore store = PgVectorStore.open(url, credentials(), "small_docs", 3, 40)) {
            store.add(List.of(new StoredDocument("x", "old text", new float[] {1, 0, 0}, Map.of("source", "a.md")),
                    new StoredDocument("y", "it's quoted 'text'", new float[] {0, 1, 0}, Map.of("source", "b.md"))));
            store.add(List.of(new StoredDocument("x", "new text", new float[] {2, 2, 0}, Map.of("source", "a.md"))));
            assertEquals(2, store.count());
            SearchHit top = store.nearest(new float[] {1, 1, 0}, 2).getFirst();
            assertEquals("x", top.id());
            assertEquals("new text", top.text());
            assertEquals(1.0, top.score(), 1e-6);
            assertEquals("it's quoted 'text'", store.nearest(new float[] {0, 1, 0}, 1).getFirst().text());
            store.putMetadata("embedder", "test");
            store.putMetadata("embedder", "test2");
            assertEquals(Map.of("embedder", "test2"), store.metadata());
            store.deleteWhere("source", "a.md");
            assertEquals(1, store.count());
            assertFalse(store.supportsTextSearch());
            assertEquals("y", store.hybrid("anything", new float[] {1, 1, 0}, 3).getFirst().id());
        }
        RagException e = assertThrows(RagException.class,
                () -> PgVectorStore.open(url, credentials(), "small_docs", 5, 40));
        assertTrue(e.getMessage().endsWith("table small_docs: holds vectors of dimension 3, not 5"), e.getMessage());
    }
}
