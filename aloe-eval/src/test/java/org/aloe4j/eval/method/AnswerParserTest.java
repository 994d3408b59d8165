package org.aloe4j.eval.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** prompt_engine's parse_response rules (src/utils/utils.py), case by case. */
class AnswerParserTest {

    private static final List<String> ABCD = List.of("A", "B", "C", "D");

    @Test
    void letterInBracketsAfterTheAnswerLine() {
        assertEquals("B", AnswerParser.parse("The nerve is...\n\nAnswer: [B]", ABCD));
        assertEquals("C", AnswerParser.parse("Answer: [C]", ABCD), "no preceding newline: the whole reply is read");
        assertEquals("B", AnswerParser.parse("blah\nAnswer:[B]", ABCD), "no \"\\nAnswer: \": whole reply");
    }

    @Test
    void onlyTheTextAfterTheLastAnswerLineCounts() {
        assertEquals("D", AnswerParser.parse("I first thought [A].\nAnswer: [D]", ABCD));
        assertNull(AnswerParser.parse("\nAnswer: [A]\nWait, no.\nAnswer: C", ABCD));
        assertEquals("B", AnswerParser.parse("\nAnswer: [D]\n\nAnswer: [B]", ABCD));
    }

    @Test
    void severalLettersGiveTheLastInOptionOrder() {
        assertEquals("C", AnswerParser.parse("\nAnswer: [A] or [C]", ABCD));
        assertEquals("C", AnswerParser.parse("\nAnswer: [C], not [A]", ABCD), "option order, not text order");
    }

    @Test
    void unparsableReplies() {
        assertNull(AnswerParser.parse("The answer is B.", ABCD));
        assertNull(AnswerParser.parse("\nAnswer: [E]", ABCD), "not one of the options");
        assertNull(AnswerParser.parse("\nAnswer: [b]", ABCD), "case matters");
        assertNull(AnswerParser.parse("\nAnswer: B", ABCD));
        assertNull(AnswerParser.parse("", ABCD));
        assertNull(AnswerParser.parse(null, ABCD));
        assertEquals("E", AnswerParser.parse("\nAnswer: [E]", List.of("A", "B", "C", "D", "E")));
    }

    @Test
    void retryScheduleRaisesTemperatureAndTokensUpToOne() {
        var base = new org.aloe4j.generation.SamplingSettings(0.9, 20, 0.8, 0, 1.05, null, 256);
        var r0 = RetrySchedule.forAttempt(base, 0, 7L);
        assertEquals(0.9, r0.temperature(), 1e-12);
        assertEquals(256, r0.maxNewTokens());
        assertEquals(7L, r0.seed());
        assertEquals(0.95, RetrySchedule.forAttempt(base, 1, null).temperature(), 1e-12);
        assertEquals(356, RetrySchedule.forAttempt(base, 1, null).maxNewTokens());
        assertEquals(1.0, RetrySchedule.forAttempt(base, 3, null).temperature(), 0.0);
        assertEquals(1156, RetrySchedule.forAttempt(base, 9, null).maxNewTokens());
        assertEquals(20, RetrySchedule.forAttempt(base, 9, null).topK());
    }

    @Test
    void voteTieRules() {
        // runs A, B, B, A, C: A and B both reach 2; B got there first (run 3), A appeared first
        var runs = java.util.Arrays.asList("A", "B", "B", "A", "C");
        Vote v = Vote.of(runs, TieBreak.FIRST_TO_REACH_TOP);
        assertEquals("B", v.winner());
        assertEquals(2, v.topCount());
        assertEquals(true, v.draw());
        assertEquals("A", Vote.of(runs, TieBreak.FIRST_SEEN).winner());
        Vote clear = Vote.of(java.util.Arrays.asList("C", null, "C", "D"), TieBreak.FIRST_TO_REACH_TOP);
        assertEquals("C", clear.winner());
        assertEquals(false, clear.draw());
        Vote none = Vote.of(java.util.Arrays.asList(null, null), TieBreak.FIRST_TO_REACH_TOP);
        assertNull(none.winner());
        assertEquals(false, none.draw());
    }

    @Test
    void seedsAreStableAndDistinct() {
        assertNull(Seeds.derive(null, "q1", 0, 0));
        assertEquals(Seeds.derive(42L, "q1", 0, 0), Seeds.derive(42L, "q1", 0, 0));
        var all = new java.util.HashSet<Long>();
        for (String id : List.of("q1", "q2")) {
            for (int s = 0; s < 3; s++) {
                for (int a = 0; a < 3; a++) {
                    Long x = Seeds.derive(42L, id, s, a);
                    org.junit.jupiter.api.Assertions.assertTrue(x >= 0 && x <= Integer.MAX_VALUE);
                    all.add(x);
                }
            }
        }
        assertEquals(18, all.size());
    }
}
