package org.aloe4j.rag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.aloe4j.rag.embed.BgeSmallEmbedder;
import org.aloe4j.rag.medprompt.Example;
import org.aloe4j.rag.medprompt.KnowledgeBase;
import org.aloe4j.rag.medprompt.RetrievedExample;
import org.aloe4j.rag.store.LuceneStore;
import org.aloe4j.rag.store.SearchHit;
import org.aloe4j.rag.store.StoredDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retrieval quality with the real bge-small-en-v1.5 embedder on a labelled set written for this test
 * ({@code retrieval/medical-retrieval.jsonl}): 50 items in 10 topic clusters of 5 (vitamins, cardiology,
 * infections, endocrinology, neurology, renal, haematology, gastroenterology, pulmonology, toxicology), each with a
 * passage, a lay question answered by it and an exam-style question on the same fact. Clusters make near misses
 * possible: every distractor of the same cluster shares vocabulary with the right item.
 */
class RetrievalQualityTest {

    record Item(String id, String passage, String question, String examQuestion) {}

    static List<Item> items;
    static BgeSmallEmbedder embedder;

    @BeforeAll
    static void load() throws Exception {
        ObjectMapper json = new ObjectMapper();
        items = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                RetrievalQualityTest.class.getResourceAsStream("/retrieval/medical-retrieval.jsonl"),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                JsonNode n = json.readTree(line);
                items.add(new Item(n.get("id").asText(), n.get("passage").asText(), n.get("question").asText(),
                        n.get("paraphrase").asText()));
            }
        }
        assertEquals(50, items.size());
        embedder = new BgeSmallEmbedder();
    }

    @AfterAll
    static void close() {
        embedder.close();
    }

    /** Fraction of items whose own id is among the first k results of {@code search}. */
    static double recall(int k, Function<Item, List<String>> search) {
        int found = 0;
        for (Item item : items) {
            if (search.apply(item).subList(0, k).contains(item.id())) {
                found++;
            }
        }
        return (double) found / items.size();
    }

    @Test
    void questionToPassageRecallAt5(@TempDir Path dir) {
        float[][] passages = embedder.embed(items.stream().map(Item::passage).toList());
        float[][] withInstruction = embedder.embed(items.stream()
                .map(i -> BgeSmallEmbedder.QUERY_INSTRUCTION + i.question()).toList());
        float[][] plain = embedder.embed(items.stream().map(Item::question).toList());
        Map<String, Integer> index = new LinkedHashMap<>();
        try (LuceneStore store = LuceneStore.open(dir, BgeSmallEmbedder.DIMENSION)) {
            List<StoredDocument> docs = new ArrayList<>();
            for (int i = 0; i < items.size(); i++) {
                docs.add(new StoredDocument(items.get(i).id(), items.get(i).passage(), passages[i], null));
                index.put(items.get(i).id(), i);
            }
            store.add(docs);
            Function<float[][], Function<Item, List<String>>> vectorSearch = queries -> item ->
                    ids(store.nearest(queries[index.get(item.id())], 5));
            double r5 = recall(5, vectorSearch.apply(withInstruction));
            double r1 = recall(1, vectorSearch.apply(withInstruction));
            double r5plain = recall(5, vectorSearch.apply(plain));
            double r1plain = recall(1, vectorSearch.apply(plain));
            Function<Item, List<String>> hybrid = item ->
                    ids(store.hybrid(item.question(), withInstruction[index.get(item.id())], 5));
            double r5hybrid = recall(5, hybrid);
            double r1hybrid = recall(1, hybrid);
            System.out.printf("question->passage (bge-small, 50 items): vector+instruction recall@1 %.2f @5 %.2f; "
                    + "vector, no instruction recall@1 %.2f @5 %.2f; hybrid (RRF with BM25) recall@1 %.2f @5 %.2f%n",
                    r1, r5, r1plain, r5plain, r1hybrid, r5hybrid);
            assertTrue(r5 >= 0.90, "vector recall@5 " + r5);
            assertTrue(r5hybrid >= 0.90, "hybrid recall@5 " + r5hybrid);
        }
    }

    @Test
    void questionToQuestionRecallAt5ForTheKnowledgeBase(@TempDir Path dir) {
        try (KnowledgeBase kb = new KnowledgeBase(LuceneStore.open(dir, BgeSmallEmbedder.DIMENSION), embedder)) {
            List<Example> examples = new ArrayList<>();
            for (Item item : items) {
                LinkedHashMap<String, String> options = new LinkedHashMap<>();
                options.put("A", "see passage");
                options.put("B", "other");
                examples.add(new Example(item.id(), item.examQuestion(), options, item.passage(), "A"));
            }
            kb.add(examples);
            // nearest() puts the most similar last: reverse for a best-first ranking
            Function<Item, List<String>> search = item -> kb.nearest(item.question(), 5).reversed().stream()
                    .map(RetrievedExample::example).map(Example::id).toList();
            double r5 = recall(5, search);
            double r1 = recall(1, search);
            System.out.printf("question->question (knowledge base, no instruction, 50 items): recall@1 %.2f @5 %.2f%n",
                    r1, r5);
            assertTrue(r5 >= 0.90, "knowledge-base recall@5 " + r5);
        }
    }

    static List<String> ids(List<SearchHit> hits) {
        return hits.stream().map(SearchHit::id).toList();
    }
}
