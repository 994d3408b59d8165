package org.aloe4j.medprompt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import org.aloe4j.eval.data.Question;
import org.aloe4j.eval.method.McqPrompt;
import org.aloe4j.generation.ChatMessage;
import org.aloe4j.rag.medprompt.Example;
import org.aloe4j.rag.medprompt.RetrievedExample;
import org.junit.jupiter.api.Test;

class MedpromptPromptTest {

    static Example example(String id, String question, String reasoning, String answer, String... options) {
        LinkedHashMap<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < options.length; i++) {
            o.put(Question.letter(i), options[i]);
        }
        return new Example(id, question, o, reasoning, answer);
    }

    @Test
    void examplesAreChatTurnsInTheGivenOrderThenTheQuestion() {
        Example far = example("e1", "Which vitamin prevents scurvy?", "Ascorbate is needed for collagen.\nAnswer: [B]",
                "B", " Vitamin A", "Vitamin C\n");
        Example near = example("e2", "What reverses an opioid overdose?", "Naloxone antagonises opioids.", "A",
                "Naloxone", "Flumazenil", "Atropine");
        Question q = new Question("q", "", "", "A heroin user stops breathing. Which drug?",
                List.of("Atropine", "Naloxone", "Glucagon"), "B");
        List<ChatMessage> m = MedpromptPrompt.messages(List.of(new RetrievedExample(far, 0.2),
                new RetrievedExample(near, 0.9)), q);
        assertEquals(List.of("system", "user", "assistant", "user", "assistant", "user"),
                m.stream().map(ChatMessage::role).toList());
        assertEquals(McqPrompt.COT_INSTRUCTIONS, m.get(0).content());
        // question format: the question, "Options:", one "A. text" line each (text stripped of spaces/newlines)
        assertEquals("Which vitamin prevents scurvy?\nOptions:\nA. Vitamin A\nB. Vitamin C\n", m.get(1).content());
        assertEquals("Ascorbate is needed for collagen.\nAnswer: [B]", m.get(2).content(), "already ends in its answer");
        assertEquals("What reverses an opioid overdose?\nOptions:\nA. Naloxone\nB. Flumazenil\nC. Atropine\n",
                m.get(3).content());
        assertEquals("Naloxone antagonises opioids.\nAnswer: [A]", m.get(4).content(), "answer line added");
        assertEquals("A heroin user stops breathing. Which drug?\nOptions:\nA. Atropine\nB. Naloxone\nC. Glucagon\n",
                m.get(5).content());
    }

    @Test
    void aReasoningThatEndsInAnotherLetterGetsTheStoredAnswerLast() {
        Example e = example("e", "Q?", "First I thought.\nAnswer: [A]", "B", "x", "y");
        assertEquals("First I thought.\nAnswer: [A]\nAnswer: [B]", MedpromptPrompt.solution(e));
        // a bracketed letter without an answer line is not taken as the answer
        Example mention = example("m", "Q?", "Option [B] fits best.", "B", "x", "y");
        assertEquals("Option [B] fits best.\nAnswer: [B]", MedpromptPrompt.solution(mention));
    }

    @Test
    void noExamplesIsChainOfThoughtAlone() {
        Question q = new Question("q", "", "", "Q?", List.of("x", "y"), "A");
        List<ChatMessage> m = MedpromptPrompt.messages(List.of(), q);
        assertEquals(2, m.size());
        assertEquals("Q?\nOptions:\nA. x\nB. y\n", m.get(1).content());
    }
}
