package org.aloe4j.medprompt;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.aloe4j.eval.data.Question;
import org.aloe4j.eval.method.Attempt;
import org.aloe4j.eval.method.MethodOptions;
import org.aloe4j.eval.method.RetryingAnswerer;
import org.aloe4j.eval.method.Seeds;
import org.aloe4j.eval.method.Vote;
import org.aloe4j.generation.AloeDefaults;
import org.aloe4j.generation.ChatMessage;
import org.aloe4j.generation.LanguageModel;
import org.aloe4j.generation.SamplingSettings;
import org.aloe4j.rag.medprompt.KnowledgeBase;
import org.aloe4j.rag.medprompt.RetrievedExample;

/**
 * Medprompt inference (Microsoft promptbase, as HPAI's prompt_engine runs it) on any {@link LanguageModel}:
 * <ol>
 *   <li>the {@code k} examples whose questions are nearest to the question text (not a PubMedQA abstract), most
 *   similar last; with a reranker, the best {@code k} of {@code k * nRank};</li>
 *   <li>{@code ensembles} members, each shown the options in another order ({@link ChoiceShuffle}), relabelled
 *   A, B, C... by position, with the examples as chat few-shot turns ({@link MedpromptPrompt});</li>
 *   <li>each member's reply parsed for {@code [X]} after the last {@code Answer:} ({@code AnswerParser}), retried
 *   while unparsable with temperature +0.05 and max_tokens +100 per retry ({@code RetrySchedule}), the letter
 *   mapped back to the question's own options;</li>
 *   <li>a majority vote in prompt_engine's order (members answered at an earlier try first) with the chosen tie
 *   rule ({@code Vote}, {@code TieBreak}); a tie is a draw; no parsable answer in any member is no answer.</li>
 * </ol>
 * Sampling: the model card's settings for the model's family with 1024 new tokens, unless the options override
 * temperature or max tokens. Option orders depend only on the seed and the question id, so a run is reproducible
 * and resumable whatever the concurrency. Thread-safe.
 */
public final class Medprompt {

    public static final int DEFAULT_MAX_TOKENS = 1024;

    private final KnowledgeBase knowledgeBase;
    private final MedpromptSettings settings;
    private final MethodOptions options;

    public Medprompt(KnowledgeBase knowledgeBase, MedpromptSettings settings, MethodOptions options) {
        this.knowledgeBase = Objects.requireNonNull(knowledgeBase, "knowledgeBase");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.options = Objects.requireNonNull(options, "options");
    }

    public MedpromptSettings settings() {
        return settings;
    }

    /** The examples for {@code q}, in prompt order (most similar last). */
    public List<RetrievedExample> examples(Question q) {
        if (settings.k() == 0) {
            return List.of();
        }
        return settings.reranker() == null ? knowledgeBase.nearest(q.question(), settings.k())
                : knowledgeBase.nearest(q.question(), settings.k(), settings.reranker(), settings.nRank());
    }

    /** The option order of each member for {@code q}. */
    public List<OptionOrder> orders(Question q) {
        int n = q.options().size();
        if (!settings.shuffle()) {
            return Collections.nCopies(settings.ensembles(), OptionOrder.identity(n));
        }
        long seed = Seeds.derive(options.seed() == null ? 0L : options.seed(), q.id(), -1, 0);
        return ChoiceShuffle.orders(n, settings.ensembles(), seed);
    }

    /** The first attempt's sampling settings for {@code model}. */
    public SamplingSettings baseSampling(LanguageModel model) {
        SamplingSettings card = AloeDefaults.sampling(model.family());
        double t = options.temperature() != null ? options.temperature() : card.temperature();
        int max = options.maxTokens() != null ? options.maxTokens() : DEFAULT_MAX_TOKENS;
        return new SamplingSettings(t, card.topK(), card.topP(), card.minP(), card.repetitionPenalty(), null, max);
    }

    public MedpromptResult answer(LanguageModel model, Question q) {
        List<RetrievedExample> examples = examples(q);
        List<OptionOrder> orders = orders(q);
        SamplingSettings base = baseSampling(model);
        List<RetryingAnswerer.Run> runs = new ArrayList<>(orders.size());
        List<String> shownAnswers = new ArrayList<>(orders.size());
        List<String> answers = new ArrayList<>(orders.size());
        List<Integer> attempts = new ArrayList<>(orders.size());
        for (int member = 0; member < orders.size(); member++) {
            OptionOrder order = orders.get(member);
            Question shown = order.apply(q);
            List<ChatMessage> messages = MedpromptPrompt.messages(examples, shown);
            RetryingAnswerer.Run run = RetryingAnswerer.run(model, messages, shown.letters(), base,
                    options.maxAttempts(), member, options.seed(), q.id());
            runs.add(run);
            shownAnswers.add(run.answer());
            answers.add(order.original(run.answer()));
            attempts.add(run.attempts().size());
        }
        List<Integer> voteOrder = RetryingAnswerer.inVoteOrder(runs).stream().map(RetryingAnswerer.Run::sample)
                .toList();
        List<String> ballots = new ArrayList<>(voteOrder.size());
        for (int member : voteOrder) {
            ballots.add(answers.get(member));
        }
        Vote vote = Vote.of(ballots, options.tieBreak());
        List<Attempt> all = runs.stream().flatMap(r -> r.attempts().stream()).toList();
        return MedpromptResult.of(vote, all, examples, settings.reranker() != null, orders, shownAnswers, answers,
                attempts, voteOrder);
    }
}
