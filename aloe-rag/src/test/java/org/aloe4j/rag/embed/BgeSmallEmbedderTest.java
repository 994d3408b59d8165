package org.aloe4j.rag.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BgeSmallEmbedderTest {

    static BgeSmallEmbedder embedder;

    @BeforeAll
    static void load() {
        embedder = new BgeSmallEmbedder();
    }

    @AfterAll
    static void close() {
        embedder.close();
    }

    @Test
    void unitVectorsOfDimension384InInputOrder() {
        List<String> texts = List.of("Aspirin inhibits platelet aggregation.", "Fever", "The liver makes bile.");
        float[][] v = embedder.embed(texts);
        assertEquals(3, v.length);
        for (float[] x : v) {
            assertEquals(384, x.length);
            assertEquals(1.0, Vectors.norm(x), 1e-5);
        }
        // same text alone gives the same vector (order and batching do not mix texts up)
        assertArrayEquals(v[2], embedder.embed("The liver makes bile."), 1e-6f);
        assertArrayEquals(v[0], embedder.embed("Aspirin inhibits platelet aggregation."), 1e-6f);
    }

    @Test
    void blankTextIsRefusedWithItsPosition() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> embedder.embed(List.of("fever", " ")));
        assertEquals("cannot embed a blank text (item 1 of 2)", e.getMessage());
    }

    @Test
    void paraphraseIsCloserThanUnrelatedText() {
        float[] a = embedder.embed("What is the first-line treatment for anaphylaxis?");
        float[] b = embedder.embed("Which drug should be given first in anaphylactic shock?");
        float[] c = embedder.embed("How many bones are in the adult human skeleton?");
        double near = Vectors.dot(a, b);
        double far = Vectors.dot(a, c);
        assertTrue(near > far + 0.1, "paraphrase " + near + " vs unrelated " + far);
    }

    @Test
    void batchedEmbeddingReportsProgressAndMatchesSingleCalls() {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 70; i++) {
            texts.add("Patient number " + i + " presents with fever.");
        }
        List<int[]> reports = new ArrayList<>();
        float[][] all = embedder.embed(texts, (done, total) -> reports.add(new int[] {done, total}));
        assertEquals(70, all.length);
        // batch size 32: 32, 64, 70
        assertEquals(3, reports.size());
        assertArrayEquals(new int[] {32, 70}, reports.get(0));
        assertArrayEquals(new int[] {70, 70}, reports.get(2));
        assertArrayEquals(embedder.embed(texts.get(45)), all[45], 1e-6f);
    }
}
