package org.aloe4j.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopStringsTest {

    /** Feeds pieces, returns what was shown, joined with '|' between offers. */
    private static String feed(StopStrings s, String... pieces) {
        StringBuilder shown = new StringBuilder();
        for (String p : pieces) {
            shown.append(s.offer(p)).append('|');
        }
        return shown.toString();
    }

    @Test
    void textWithoutStopStringsPassesThroughAtOnce() {
        StopStrings s = new StopStrings(List.of());
        assertEquals("Hel|lo|", feed(s, "Hel", "lo"));
        assertEquals("", s.flush());
    }

    @Test
    void aPossibleStartOfAStopStringIsHeldBackUntilDecided() {
        StopStrings s = new StopStrings(List.of("###"));
        assertEquals("a |## b|", feed(s, "a #", "# b")); // "#" held back until " b" shows it is no stop string
        assertFalse(s.stopped());
        assertEquals("a ## b", s.text());
    }

    @Test
    void stopStringSpanningPiecesIsCutWithEverythingAfterIt() {
        StopStrings s = new StopStrings(List.of("</answer>"));
        assertEquals("The answer is B|||", feed(s, "The answer is B</", "ans", "wer> and more"));
        assertTrue(s.stopped());
        assertEquals("The answer is B", s.text());
        assertEquals("", s.offer("ignored"));
    }

    @Test
    void earliestOfSeveralStopStringsWins() {
        StopStrings s = new StopStrings(List.of("END", "\n\n"));
        assertEquals("x|", feed(s, "x\n\nEND"));
        assertEquals("x", s.text());
    }

    @Test
    void heldTextIsReleasedByFlush() {
        StopStrings s = new StopStrings(List.of("STOP"));
        assertEquals("go |", feed(s, "go ST"));
        assertEquals("ST", s.flush());
        assertFalse(s.stopped());
    }
}
