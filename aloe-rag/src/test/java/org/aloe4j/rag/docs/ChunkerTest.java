package org.aloe4j.rag.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkerTest {

    @Test
    void shortParagraphsArePackedWholeAndJoinedByBlankLines() {
        Chunker c = new Chunker(10, 0);
        List<String> chunks = c.chunk("One two three.\n\nFour five\nsix.\n\n\n  Seven eight nine ten eleven.  ");
        assertEquals(List.of("One two three.\n\nFour five six.", "Seven eight nine ten eleven."), chunks);
    }

    @Test
    void longParagraphIsSplitIntoSentencesWithOverlap() {
        // six sentences of 4 words; chunks of at most 10 words with up to 4 words of overlap
        String p = "Alpha one two three. Beta one two three. Gamma one two three. Delta one two three. "
                + "Epsilon one two three. Zeta one two three.";
        List<String> chunks = new Chunker(10, 4).chunk(p);
        assertEquals(List.of(
                "Alpha one two three. Beta one two three.",
                "Beta one two three. Gamma one two three.",
                "Gamma one two three. Delta one two three.",
                "Delta one two three. Epsilon one two three.",
                "Epsilon one two three. Zeta one two three."), chunks);
        for (String chunk : chunks) {
            assertTrue(Chunker.wordCount(chunk) <= 10);
        }
    }

    @Test
    void sentenceLongerThanTheLimitIsCutIntoWindows() {
        List<String> words = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            words.add("w" + i);
        }
        List<String> chunks = new Chunker(10, 3).chunk(String.join(" ", words) + ".");
        assertEquals(3, chunks.size());
        assertEquals(String.join(" ", words.subList(0, 10)), chunks.get(0));
        assertEquals(String.join(" ", words.subList(20, 25)) + ".", chunks.get(2));
    }

    @Test
    void everyWordOfTheTextIsInSomeChunkInOrder() {
        StringBuilder text = new StringBuilder();
        for (int s = 0; s < 200; s++) {
            text.append("Sentence ").append(s).append(" has ").append("some ".repeat(s % 7)).append("words. ");
            if (s % 9 == 8) {
                text.append("\n\n");
            }
        }
        Chunker chunker = new Chunker(40, 12);
        List<String> chunks = chunker.chunk(text.toString());
        int next = 0;
        for (String chunk : chunks) {
            assertTrue(Chunker.wordCount(chunk) <= 40, chunk);
            for (String w : chunk.split("\\s+")) {
                if (w.matches("\\d+") && Integer.parseInt(w) == next) {
                    next++;
                }
            }
        }
        assertEquals(200, next, "all sentences present in order");
    }

    @Test
    void settingsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new Chunker(10, 10));
        assertThrows(IllegalArgumentException.class, () -> new Chunker(0, 0));
        assertEquals(List.of(), new Chunker().chunk(" \n\n "));
    }
}
