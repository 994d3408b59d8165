package org.aloe4j.medprompt;

import static org.aloe4j.medprompt.OptionPicker.garbage;
import static org.aloe4j.medprompt.OptionPicker.letter;
import static org.aloe4j.medprompt.OptionPicker.raw;
import static org.aloe4j.medprompt.OptionPicker.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aloe4j.eval.data.Question;
import org.aloe4j.eval.method.Attempt;
import org.aloe4j.eval.method.MethodOptions;
import org.aloe4j.eval.method.TieBreak;
import org.aloe4j.generation.ChatMessage;
import org.aloe4j.generation.ChatRequest;
import org.aloe4j.rag.embed.HashingEmbedder;
import org.aloe4j.rag.medprompt.Example;
import org.aloe4j.rag.medprompt.KnowledgeBase;
import org.aloe4j.rag.store.LuceneStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Medprompt's steps on an in-process scripted model: mapping, voting, tie rule, parsing, retries, prompt. */
class MedpromptTest {

    static final String W = "Atropine";
    static final String X = "Naloxone";
    static final String Y = "Flumazenil";
    static final String Z = "Glucagon";
    static final Question Q = new Question("q1", "", "", "A heroin user is found not breathing. Which drug reverses it?",
            List.of(W, X, Y, Z), "B");

    @TempDir
    Path dir;
    KnowledgeBase kb;

    @BeforeEach
    void knowledgeBase() {
        kb = new KnowledgeBase(LuceneStore.open(dir, 256), new HashingEmbedder(256));
        kb.add(List.of(
                example("e1", "Which vitamin deficiency causes scurvy?", "A", "Vitamin C", "Vitamin D"),
                example("e2", "Which drug reverses an opioid overdose in a heroin user?", "A", "Naloxone", "Atropine"),
                example("e3", "Which nerve is injured in wrist drop?", "B", "Ulnar", "Radial"),
                example("e4", "Which drug reverses a benzodiazepine overdose?", "B", "Naloxone", "Flumazenil"),
                example("e5", "What is the first-line drug for type 2 diabetes?", "A", "Metformin", "Insulin"),
                example("e6", "A patient is found not breathing after heroin. What do you give?", "A", "Naloxone",
                        "Adrenaline")));
    }

    @AfterEach
    void close() {
        kb.close();
    }

    static Example example(String id, String question, String answer, String... options) {
        LinkedHashMap<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < options.length; i++) {
            o.put(Question.letter(i), options[i]);
        }
        return new Example(id, question, o, "Reasoning of " + id + ".\nAnswer: [" + answer + "]", answer);
    }

    private Medprompt medprompt(int members, TieBreak rule, int attempts) {
        return new Medprompt(kb, MedpromptSettings.defaults().withK(3).withEnsembles(members),
                new MethodOptions(null, null, 7L, members, attempts, 0, rule));
    }

    /** The last user turn of each request, read back. */
    private static List<ShownQuestion> shown(FakeModel m) {
        return m.requests().stream().map(r -> ShownQuestion.parse(r.messages().getLast().content())).toList();
    }

    @Test
    void answersByContentMapBackToTheSameOptionWhateverItsLetter() {
        FakeModel m = new FakeModel(new OptionPicker().on(Q.question(), text(X), text(X), text(X), text(X), text(X)));
        MedpromptResult r = medprompt(5, TieBreak.FIRST_TO_REACH_TOP, 10).answer(m, Q);
        assertEquals("B", r.pred());
        assertEquals(Map.of("B", 5), r.outcome().votes());
        assertFalse(r.outcome().draw());
        assertEquals(List.of("B", "B", "B", "B", "B"), r.answers());
        // each member saw a different order, and answered the letter naloxone had in it
        List<ShownQuestion> seen = shown(m);
        assertEquals(5, new HashSet<>(seen.stream().map(ShownQuestion::options).toList()).size());
        for (int i = 0; i < 5; i++) {
            assertEquals(seen.get(i).letterOf(X), r.shownAnswers().get(i));
            List<String> expected = new ArrayList<>();
            for (char c : r.orders().get(i).label().toCharArray()) {
                expected.add(Q.options().get(c - 'A'));
            }
            assertEquals(expected, seen.get(i).options(), "the order the trace reports is the order shown");
        }
        assertTrue(r.shownAnswers().stream().distinct().count() > 1, "naloxone moved: " + r.shownAnswers());
    }

    @Test
    void aPositionBiasedModelIsSpreadOverTheOptionsAndVotedOnByContent() {
        FakeModel m = new FakeModel(new OptionPicker().on(Q.question(), letter("A"), letter("A"), letter("A"),
                letter("A"), letter("A")));
        MedpromptResult r = medprompt(5, TieBreak.FIRST_TO_REACH_TOP, 10).answer(m, Q);
        // what each member voted for, found from the prompts it saw: the option shown as A
        List<String> votes = new ArrayList<>();
        for (ShownQuestion s : shown(m)) {
            votes.add(Question.letter(Q.options().indexOf(s.textAt("A"))));
        }
        assertEquals(votes, r.answers());
        Map<String, Integer> counts = new LinkedHashMap<>();
        votes.forEach(v -> counts.merge(v, 1, Integer::sum));
        assertEquals(counts, r.outcome().votes());
        int top = counts.values().stream().max(Integer::compare).orElseThrow();
        assertEquals(counts.get(r.pred()), top);
        assertEquals(counts.values().stream().filter(c -> c == top).count() > 1, r.outcome().draw());
    }

    @Test
    void aTieGoesToTheAnswerThatReachedTheTopCountFirstAndIsADraw() {
        // votes in member order: Y X X Y, then a member with no parsable answer: X reaches 2 first (third vote)
        OptionPicker script = new OptionPicker().on(Q.question(), text(Y), text(X), text(X), text(Y), garbage(),
                garbage());
        MedpromptResult r = medprompt(5, TieBreak.FIRST_TO_REACH_TOP, 2).answer(new FakeModel(script), Q);
        assertEquals("B", r.pred());
        assertTrue(r.outcome().draw());
        assertEquals(Map.of("B", 2, "C", 2), r.outcome().votes());
        assertEquals(1, r.outcome().unparsedRuns());
        assertNull(r.answers().get(4));
        // prompt_engine's code keeps the first seen of the tied answers instead
        script = new OptionPicker().on(Q.question(), text(Y), text(X), text(X), text(Y), garbage(), garbage());
        MedpromptResult firstSeen = medprompt(5, TieBreak.FIRST_SEEN, 2).answer(new FakeModel(script), Q);
        assertEquals("C", firstSeen.pred());
        assertTrue(firstSeen.outcome().draw());
    }

    @Test
    void aRetriedMemberVotesAfterTheMembersThatAnsweredAtOnce() {
        // member 0 answers X only at its second try; members 1-3 answer X, Y, Y; member 4 never parses.
        // Vote order 1, 2, 3, 0 (X Y Y X): a 2-2 tie that Y reached first. Member order would have given X.
        OptionPicker script = new OptionPicker().on(Q.question(), garbage(), text(X), text(X), text(Y), text(Y),
                garbage(), garbage());
        FakeModel m = new FakeModel(script);
        MedpromptResult r = medprompt(5, TieBreak.FIRST_TO_REACH_TOP, 2).answer(m, Q);
        assertEquals(List.of(1, 2, 3, 0, 4), r.voteOrder());
        assertEquals("C", r.pred());
        assertTrue(r.outcome().draw());
        assertEquals(List.of(2, 1, 1, 1, 2), r.attemptsPerRun());
        // the retry went out 0.05 hotter with 100 more tokens, with the same prompt
        List<ChatRequest> req = m.requests();
        assertEquals(req.get(0).messages(), req.get(1).messages());
        assertEquals(req.get(0).sampling().temperature() + 0.05, req.get(1).sampling().temperature(), 1e-12);
        assertEquals(req.get(0).sampling().maxNewTokens() + 100, req.get(1).sampling().maxNewTokens());
        // defaults: Qwen card sampling (0.7) and 1024 tokens
        assertEquals(0.7, req.get(0).sampling().temperature(), 1e-12);
        assertEquals(1024, req.get(0).sampling().maxNewTokens());
        List<Attempt> attempts = r.outcome().attempts();
        assertEquals(7, attempts.size());
        assertEquals(List.of(0, 1), attempts.stream().filter(a -> a.sample() == 0).map(Attempt::attempt).toList());
    }

    @Test
    void parsingTakesTheBracketedLetterAfterTheLastAnswerLine() {
        OptionPicker script = new OptionPicker().on(Q.question(),
                // the last "Answer:" line counts, not an earlier one
                s -> "Answer: [" + s.letterOf(W) + "] at first sight.\nOn reflection\nAnswer: [" + s.letterOf(X) + "]",
                // no brackets: not an answer, retried
                s -> "Answer: " + s.letterOf(Y),
                text(X),
                raw("Answer: [Q]"), // a letter that is no option: retried
                text(Z),
                text(X), text(X));
        FakeModel m = new FakeModel(script);
        MedpromptResult r = medprompt(5, TieBreak.FIRST_TO_REACH_TOP, 10).answer(m, Q);
        assertEquals(List.of("B", "B", "D", "B", "B"), r.answers());
        assertEquals(List.of(1, 2, 2, 1, 1), r.attemptsPerRun());
        assertEquals("B", r.pred());
    }

    @Test
    void noParsableAnswerInAnyMemberIsNoAnswer() {
        OptionPicker script = new OptionPicker();
        for (int i = 0; i < 15; i++) {
            script.on(Q.question(), garbage());
        }
        MedpromptResult r = medprompt(5, TieBreak.FIRST_TO_REACH_TOP, 3).answer(new FakeModel(script), Q);
        assertNull(r.pred());
        assertEquals(5, r.outcome().unparsedRuns());
        assertTrue(r.outcome().votes().isEmpty());
        assertEquals(15, r.outcome().attempts().size());
    }

    @Test
    void everyMemberGetsTheSameNearestExamplesMostSimilarLast() {
        OptionPicker script = new OptionPicker().on(Q.question(), text(X), text(X), text(X));
        FakeModel m = new FakeModel(script);
        MedpromptResult r = medprompt(3, TieBreak.FIRST_TO_REACH_TOP, 10).answer(m, Q);
        assertEquals(3, r.examples().size());
        for (int i = 1; i < 3; i++) {
            assertTrue(r.examples().get(i - 1).similarity() <= r.examples().get(i).similarity());
        }
        assertTrue(List.of("e2", "e6").contains(r.examples().getLast().example().id()),
                r.examples().getLast().example().id());
        List<ChatMessage> first = m.requests().getFirst().messages();
        assertEquals(8, first.size(), "system + 3 x (user, assistant) + question");
        for (ChatRequest req : m.requests()) {
            assertEquals(first.subList(0, 7), req.messages().subList(0, 7), "same examples for every member");
        }
        for (int i = 0; i < 3; i++) {
            Example e = r.examples().get(i).example();
            assertEquals(MedpromptPrompt.describe(e), first.get(1 + 2 * i).content());
            assertEquals(e.reasoning(), first.get(2 + 2 * i).content());
        }
        // the trace names them in prompt order with their similarity, and each member's order and answers
        JsonNode t = r.trace();
        assertEquals(r.examples().getLast().example().id(), t.get("examples").get(2).get("id").asText());
        assertEquals(r.orders().get(1).label(), t.get("runs").get(1).get("order").asText());
        assertEquals("B", t.get("runs").get(1).get("answer").asText());
        assertEquals(r.shownAnswers().get(1), t.get("runs").get(1).get("parsed").asText());
        assertEquals(r.trace(), r.outcome().details());
    }

    @Test
    void withoutShufflingEveryMemberSeesTheOptionsAsGiven() {
        OptionPicker script = new OptionPicker().on(Q.question(), text(X), text(X));
        FakeModel m = new FakeModel(script);
        Medprompt mp = new Medprompt(kb, MedpromptSettings.defaults().withEnsembles(2).withShuffle(false).withK(0),
                new MethodOptions(0.0, 50, null, 2, 10, 0, null));
        MedpromptResult r = mp.answer(m, Q);
        assertEquals(List.of("B", "B"), r.shownAnswers());
        for (ShownQuestion s : shown(m)) {
            assertEquals(Q.options(), s.options());
        }
        assertEquals(2, m.requests().getFirst().messages().size(), "k = 0: no examples");
        assertEquals(0.0, m.requests().getFirst().sampling().temperature());
        assertEquals(50, m.requests().getFirst().sampling().maxNewTokens());
    }
}
