package org.aloe4j.medprompt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.aloe4j.eval.data.Question;
import org.aloe4j.eval.method.MethodOptions;
import org.aloe4j.rag.RagException;
import org.aloe4j.rag.embed.HashingEmbedder;
import org.aloe4j.rag.medprompt.KnowledgeBase;
import org.aloe4j.rag.store.LuceneStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpRerankerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** A rerank server that scores a document by how many times it contains "heroin", listing results best first. */
    private static HttpServer server(AtomicReference<JsonNode> lastBody) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        s.createContext("/v1/rerank", ex -> {
            JsonNode body = JSON.readTree(ex.getRequestBody().readAllBytes());
            lastBody.set(body);
            ObjectNode r = JSON.createObjectNode();
            var results = r.putArray("results");
            List<JsonNode> docs = new java.util.ArrayList<>();
            body.get("documents").forEach(docs::add);
            java.util.List<Integer> order = new java.util.ArrayList<>();
            for (int i = 0; i < docs.size(); i++) {
                order.add(i);
            }
            java.util.function.ToIntFunction<Integer> score = i -> docs.get(i).asText().split("heroin", -1).length - 1;
            order.sort((a, b) -> score.applyAsInt(b) - score.applyAsInt(a));
            order.forEach(i -> results.addObject().put("index", i).put("relevance_score", score.applyAsInt(i)));
            byte[] out = r.toString().getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        s.start();
        return s;
    }

    @Test
    void scoresComeBackInCandidateOrderAndDecideTheExamples() throws Exception {
        AtomicReference<JsonNode> body = new AtomicReference<>();
        HttpServer s = server(body);
        try (KnowledgeBase kb = new KnowledgeBase(LuceneStore.open(dir, 256), new HashingEmbedder(256))) {
            kb.add(List.of(
                    MedpromptTest.example("a", "Which drug reverses an opioid overdose?", "A", "Naloxone", "Atropine"),
                    MedpromptTest.example("b", "Which drug reverses a heroin overdose? heroin heroin", "A", "Naloxone",
                            "Atropine"),
                    MedpromptTest.example("c", "Which drug reverses an overdose of heroin?", "A", "Naloxone", "x"),
                    MedpromptTest.example("d", "Which drug reverses a benzodiazepine overdose?", "B", "Naloxone",
                            "Flumazenil")));
            String url = "http://127.0.0.1:" + s.getAddress().getPort();
            HttpReranker reranker = new HttpReranker(url, "bge-reranker", null);
            assertEquals(url + "/v1/rerank", reranker.endpoint().toString());
            assertEquals(url + "/v1/rerank", new HttpReranker(url + "/v1", "m", null).endpoint().toString());

            Question q = new Question("q", "", "", "Which drug reverses an overdose?", List.of("Naloxone", "Atropine"),
                    "A");
            var mp = new Medprompt(kb, MedpromptSettings.defaults().withK(2).withEnsembles(1).withReranker(reranker, 2),
                    MethodOptions.defaults());
            var examples = mp.examples(q);
            // 4 candidates scored; the 2 with most "heroin" kept, the best last
            assertEquals(List.of("c", "b"), examples.stream().map(r -> r.example().id()).toList());
            assertEquals("bge-reranker", body.get().get("model").asText());
            assertEquals(q.question(), body.get().get("query").asText());
            assertEquals(4, body.get().get("documents").size());
            assertTrue(body.get().get("documents").get(0).asText().contains("\nOptions:\nA. Naloxone\n"));
        } finally {
            s.stop(0);
        }
    }

    @Test
    void badAnswersAreClearErrors() {
        assertArrayEquals(new double[] {0.5, 2.0}, HttpReranker.parse(
                "{\"results\":[{\"index\":1,\"relevance_score\":2.0},{\"index\":0,\"relevance_score\":0.5}]}", 2));
        var missing = assertThrows(RagException.class, () -> HttpReranker.parse(
                "{\"results\":[{\"index\":1,\"relevance_score\":2.0}]}", 2));
        assertEquals("reranker gave no score for candidate 0 of 2", missing.getMessage());
        assertThrows(RagException.class, () -> HttpReranker.parse("{\"results\":[{\"index\":5,\"score\":1}]}", 2));
        assertThrows(RagException.class, () -> HttpReranker.parse("<html>", 2));
        var down = assertThrows(RagException.class, () -> new HttpReranker("http://127.0.0.1:1", "m", null)
                .score("q", List.of(MedpromptTest.example("a", "Q?", "A", "x", "y"))));
        assertTrue(down.getMessage().startsWith("reranker http://127.0.0.1:1/v1/rerank: "), down.getMessage());
    }
}
