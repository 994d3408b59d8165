package org.aloe4j.rag.medprompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aloe4j.rag.RagException;
import org.aloe4j.rag.embed.HashingEmbedder;
import org.aloe4j.rag.embed.Vectors;
import org.aloe4j.rag.store.LuceneStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KnowledgeBaseTest {

    @TempDir
    Path dir;

    static Example example(String id, String question, String answer) {
        LinkedHashMap<String, String> options = new LinkedHashMap<>();
        options.put("A", "first " + id);
        options.put("B", "second " + id);
        options.put("C", "third " + id);
        return new Example(id, question, options, "Reasoning for " + id + ". Answer: [" + answer + "]", answer);
    }

    static List<Example> examples() {
        return List.of(
                example("e1", "Which vitamin deficiency causes scurvy?", "A"),
                example("e2", "Which vitamin deficiency causes rickets in children?", "B"),
                example("e3", "What is the first-line drug for type 2 diabetes?", "C"),
                example("e4", "Which nerve is injured in wrist drop?", "A"),
                example("e5", "Which vitamin deficiency causes night blindness?", "B"),
                example("e6", "Which enzyme is deficient in phenylketonuria?", "C"));
    }

    @Test
    void nearestPutsTheMostSimilarLastWithSimilarityOneMinusCosineDistance() {
        HashingEmbedder embedder = new HashingEmbedder(256);
        try (KnowledgeBase kb = new KnowledgeBase(LuceneStore.open(dir, 256), embedder)) {
            kb.add(examples());
            assertEquals(6, kb.size());
            String question = "Which vitamin deficiency causes scurvy in sailors?";
            List<RetrievedExample> found = kb.nearest(question, 3);
            assertEquals(3, found.size());
            assertEquals("e1", found.getLast().example().id(), "most similar comes last");
            for (int i = 1; i < found.size(); i++) {
                assertTrue(found.get(i - 1).similarity() <= found.get(i).similarity(), "ascending similarity");
            }
            // similarity = 1 - cosine distance = cosine of the question embeddings, recomputed here
            float[] q = embedder.embed(question);
            for (RetrievedExample r : found) {
                assertEquals(Vectors.cosine(q, embedder.embed(r.example().question())), r.similarity(), 1e-5);
            }
            // the example comes back whole, options in order
            Example e1 = found.getLast().example();
            assertEquals(examples().getFirst(), e1);
            assertEquals(List.of("A", "B", "C"), List.copyOf(e1.options().keySet()));
            // asking for more than there are gives all of them
            assertEquals(6, kb.nearest(question, 50).size());
        }
    }

    @Test
    void onlyTheQuestionIsEmbeddedWithoutInstruction() {
        HashingEmbedder embedder = new HashingEmbedder(64);
        try (KnowledgeBase kb = new KnowledgeBase(LuceneStore.open(dir, 64), embedder)) {
            Example e = examples().get(2);
            kb.add(List.of(e));
            RetrievedExample r = kb.nearest(e.question(), 1).getFirst();
            // identical question text -> similarity 1 (options, reasoning and instruction prefix play no part)
            assertEquals(1.0, r.similarity(), 1e-6);
        }
    }

    @Test
    void rerankerRetrievesKTimesNRankAndKeepsItsBestKMostRelevantLast() {
        try (KnowledgeBase kb = new KnowledgeBase(LuceneStore.open(dir, 256), new HashingEmbedder(256))) {
            kb.add(examples());
            List<Integer> candidateCounts = new ArrayList<>();
            // a reranker that prefers examples whose answer is C, then by id descending
            Reranker reranker = (question, candidates) -> {
                candidateCounts.add(candidates.size());
                return candidates.stream().mapToDouble(c -> (c.answer().equals("C") ? 100 : 0)
                        + Integer.parseInt(c.id().substring(1))).toArray();
            };
            List<RetrievedExample> kept = kb.nearest("Which vitamin deficiency causes scurvy?", 2, reranker, 3);
            assertEquals(List.of(6), candidateCounts, "k * nRank candidates");
            assertEquals(List.of("e3", "e6"), kept.stream().map(r -> r.example().id()).toList());
            RagException e = assertThrows(RagException.class,
                    () -> kb.nearest("x", 2, (q, c) -> new double[1], 3));
            assertEquals("reranker gave 1 scores for 6 candidates", e.getMessage());
        }
    }

    @Test
    void reopeningWithAnotherEmbedderIsRefused() {
        try (KnowledgeBase kb = new KnowledgeBase(LuceneStore.open(dir, 64), new HashingEmbedder(64))) {
            kb.add(examples());
        }
        LuceneStore store = LuceneStore.open(dir, 64);
        try {
            HashingEmbedder other = new HashingEmbedder(64, "another-model");
            RagException e = assertThrows(RagException.class, () -> new KnowledgeBase(store, other));
            assertEquals("knowledge base was built with embedder hashing-64, not another-model", e.getMessage());
            assertEquals(Map.of("embedder", "hashing-64", "kind", KnowledgeBase.KIND), store.metadata());
        } finally {
            store.close();
        }
    }

    @Test
    void exampleChecksItsAnswerAgainstItsOptions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Example("x", "q?", new LinkedHashMap<>(Map.of("A", "a", "B", "b")), "r", "E"));
        assertEquals("example x: answer 'E' is not one of the options [A, B]", e.getMessage().replace("[B, A]", "[A, B]"));
    }
}
