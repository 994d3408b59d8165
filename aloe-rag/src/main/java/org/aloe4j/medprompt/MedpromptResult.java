package org.aloe4j.medprompt;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.aloe4j.eval.method.Attempt;
import org.aloe4j.eval.method.ItemOutcome;
import org.aloe4j.eval.method.Vote;
import org.aloe4j.rag.medprompt.RetrievedExample;

/**
 * Medprompt's answer to one question: the vote ({@link #outcome()}: predicted letter, draw, votes, every attempt
 * with its prompt and reply) and how it came about: the examples put in the prompt (in prompt order, most similar
 * last), each member's option order, the letter it answered (as shown to it) and that letter mapped back to the
 * question's own options, and the order the members voted in.
 */
public record MedpromptResult(ItemOutcome outcome, List<RetrievedExample> examples, boolean reranked,
                              List<OptionOrder> orders, List<String> shownAnswers, List<String> answers,
                              List<Integer> attemptsPerRun, List<Integer> voteOrder) {

    public MedpromptResult {
        examples = List.copyOf(examples);
        orders = List.copyOf(orders);
        shownAnswers = Collections.unmodifiableList(new ArrayList<>(shownAnswers)); // nulls allowed
        answers = Collections.unmodifiableList(new ArrayList<>(answers));
        attemptsPerRun = List.copyOf(attemptsPerRun);
        voteOrder = List.copyOf(voteOrder);
    }

    public String pred() {
        return outcome.pred();
    }

    /** The result of a vote, with its trace in the outcome's details. */
    static MedpromptResult of(Vote vote, List<Attempt> attempts, List<RetrievedExample> examples, boolean reranked,
                              List<OptionOrder> orders, List<String> shownAnswers, List<String> answers,
                              List<Integer> attemptsPerRun, List<Integer> voteOrder) {
        int unparsed = (int) answers.stream().filter(Objects::isNull).count();
        ObjectNode trace = trace(examples, reranked, orders, shownAnswers, answers, attemptsPerRun, voteOrder);
        ItemOutcome outcome = new ItemOutcome(vote.winner(), vote.draw(), vote.counts(), unparsed, attempts, null,
                trace);
        return new MedpromptResult(outcome, examples, reranked, orders, shownAnswers, answers, attemptsPerRun,
                voteOrder);
    }

    /**
     * The trace kept with the item (in {@code generations.jsonl} under "details"): {@code examples} [{id,
     * similarity, answer}] in prompt order, {@code reranked}, {@code runs} [{run, order (original letters in shown
     * order), parsed (the shown letter answered), answer (mapped back), attempts}], {@code vote_order} (run
     * numbers). Prompts and replies are in the outcome's attempts.
     */
    public ObjectNode trace() {
        return (ObjectNode) outcome.details().deepCopy();
    }

    private static ObjectNode trace(List<RetrievedExample> examples, boolean reranked, List<OptionOrder> orders,
                                    List<String> shownAnswers, List<String> answers, List<Integer> attemptsPerRun,
                                    List<Integer> voteOrder) {
        ObjectNode t = JsonNodeFactory.instance.objectNode();
        t.put("method", "medprompt");
        var ex = t.putArray("examples");
        for (RetrievedExample r : examples) {
            ex.addObject().put("id", r.example().id()).put("similarity", r.similarity())
                    .put("answer", r.example().answer());
        }
        t.put("reranked", reranked);
        var runs = t.putArray("runs");
        for (int i = 0; i < orders.size(); i++) {
            runs.addObject().put("run", i).put("order", orders.get(i).label()).put("parsed", shownAnswers.get(i))
                    .put("answer", answers.get(i)).put("attempts", attemptsPerRun.get(i));
        }
        var vo = t.putArray("vote_order");
        voteOrder.forEach(vo::add);
        return t;
    }
}
