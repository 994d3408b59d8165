package org.aloe4j.medprompt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.aloe4j.eval.data.Question;
import org.aloe4j.eval.method.ItemOutcome;
import org.aloe4j.eval.method.McqPrompt;
import org.aloe4j.eval.method.MethodOptions;
import org.aloe4j.eval.method.RetryingAnswerer;
import org.aloe4j.eval.method.Vote;
import org.aloe4j.eval.run.GenerationsLog;
import org.aloe4j.eval.run.ItemRecords;
import org.aloe4j.generation.ChatMessage;
import org.aloe4j.generation.LanguageModel;
import org.aloe4j.generation.SamplingSettings;
import org.aloe4j.rag.medprompt.Example;
import org.aloe4j.rag.medprompt.KnowledgeBase;
import org.aloe4j.remote.RemoteModelException;

/**
 * Builds Medprompt's knowledge base from solved questions ({@code aloe medprompt build}): each question is answered
 * once with chain of thought (the cot instructions, no examples; greedy and 1024 new tokens unless the options say
 * otherwise), retried while the reply has no parsable {@code Answer: [X]} (up to the options' attempts: 3 for a
 * database in prompt_engine), and kept only when the answer is the gold one. A kept question is stored with its
 * options in their given order, the whole reply as its reasoning and the gold letter; only the question text is
 * embedded. Example ids are {@code BENCH/ITEM-ID}, so several benchmarks can share one base.
 *
 * <p>Resumable: every question asked is recorded in a JSON-lines log ({@link #LOG} in the index directory; the
 * eval's {@link GenerationsLog}: appended and forced to disk per line) after the examples of its batch are
 * committed to the store, so a run stopped at any point (even kill -9) loses at most one uncommitted batch, and
 * running it again asks only the questions not in the log. A request the server refuses (HTTP 4xx other than 429)
 * is logged with its error and not kept; any other failure stops the build after committing what was done.
 */
public final class KnowledgeBaseBuilder {

    /** The log's file name inside the index directory (Lucene leaves files it does not name alone). */
    public static final String LOG = "build-log.jsonl";
    public static final int DEFAULT_MAX_TOKENS = 1024;

    /** What the builder tells while it works. */
    public interface Listener {
        Listener NONE = (done, total, kept) -> {};

        /** After each committed batch: questions done (this run and earlier ones), of {@code total}; kept so far. */
        void progress(long done, long total, long kept);
    }

    /**
     * Totals: questions selected, already in the log before this run, asked now, kept now, refused now (logged
     * with their error), and kept over all runs.
     */
    public record Report(int total, int alreadyDone, int askedNow, int keptNow, int refusedNow, long keptTotal) {}

    private final KnowledgeBase knowledgeBase;
    private final MethodOptions options;
    private final int concurrency;
    private final int batchSize;

    /**
     * @param options temperature / max tokens overrides, seed, attempts per question ({@code maxAttempts})
     * @param concurrency questions asked at once
     * @param batchSize questions per committed batch
     */
    public KnowledgeBaseBuilder(KnowledgeBase knowledgeBase, MethodOptions options, int concurrency, int batchSize) {
        if (concurrency < 1 || batchSize < 1) {
            throw new IllegalArgumentException("concurrency and batch size must be >= 1");
        }
        this.knowledgeBase = Objects.requireNonNull(knowledgeBase);
        this.options = Objects.requireNonNull(options);
        this.concurrency = concurrency;
        this.batchSize = batchSize;
    }

    /** The id an item of {@code bench} gets in the knowledge base and the log. */
    public static String exampleId(String bench, Question q) {
        return bench + "/" + q.id();
    }

    SamplingSettings baseSampling() {
        SamplingSettings s = SamplingSettings.greedy(options.maxTokens() != null ? options.maxTokens()
                : DEFAULT_MAX_TOKENS);
        return options.temperature() != null ? s.withTemperature(options.temperature()) : s;
    }

    private record Asked(Question q, String id, ObjectNode record, Example kept) {}

    /**
     * Answers the questions of {@code bench} not yet in {@code logFile}, stores the correct ones, and returns the
     * totals. Throws (after committing what was done) when the model fails for a reason other than a refused
     * request.
     */
    public Report build(LanguageModel model, String bench, List<Question> questions, Path logFile, Listener listener)
            throws IOException {
        try (GenerationsLog log = GenerationsLog.open(logFile)) {
            Map<String, JsonNode> done = log.records();
            List<Question> todo = new ArrayList<>();
            int already = 0;
            long keptTotal = 0;
            for (Question q : questions) {
                JsonNode r = done.get(exampleId(bench, q));
                if (r == null) {
                    todo.add(q);
                } else {
                    already++;
                }
            }
            for (JsonNode r : done.values()) {
                keptTotal += r.path("kept").asBoolean(false) ? 1 : 0;
            }
            int asked = 0;
            int kept = 0;
            int refused = 0;
            ExecutorService pool = Executors.newFixedThreadPool(concurrency, r -> {
                Thread t = new Thread(r, "aloe-medprompt-build");
                t.setDaemon(true);
                return t;
            });
            try {
                SamplingSettings base = baseSampling();
                for (int from = 0; from < todo.size(); from += batchSize) {
                    List<Question> chunk = todo.subList(from, Math.min(todo.size(), from + batchSize));
                    List<Future<Asked>> futures = new ArrayList<>();
                    for (Question q : chunk) {
                        futures.add(pool.submit(() -> ask(model, bench, q, base)));
                    }
                    List<Asked> answered = new ArrayList<>();
                    Throwable failure = null;
                    for (Future<Asked> f : futures) {
                        try {
                            answered.add(f.get());
                        } catch (ExecutionException e) {
                            failure = failure == null ? e.getCause() : failure;
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            failure = failure == null ? e : failure;
                        }
                    }
                    // the examples first, committed; then the log lines: a crash in between only re-asks them
                    List<Example> examples = answered.stream().map(Asked::kept).filter(Objects::nonNull).toList();
                    knowledgeBase.add(examples);
                    knowledgeBase.commit();
                    for (Asked a : answered) {
                        log.append(a.record());
                        asked++;
                        if (a.kept() != null) {
                            kept++;
                            keptTotal++;
                        }
                        if (a.record().has("error")) {
                            refused++;
                        }
                    }
                    listener.progress(already + asked, questions.size(), keptTotal);
                    if (failure instanceof RuntimeException re) {
                        throw re;
                    } else if (failure instanceof Error err) {
                        throw err;
                    } else if (failure != null) {
                        throw new IllegalStateException(failure);
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            return new Report(questions.size(), already, asked, kept, refused, keptTotal);
        }
    }

    private Asked ask(LanguageModel model, String bench, Question q, SamplingSettings base) {
        String id = exampleId(bench, q);
        List<ChatMessage> messages = List.of(ChatMessage.system(McqPrompt.COT_INSTRUCTIONS),
                ChatMessage.user(McqPrompt.describe(q)));
        long t0 = System.nanoTime();
        RetryingAnswerer.Run run;
        try {
            run = RetryingAnswerer.run(model, messages, q.letters(), base, options.maxAttempts(), 0, options.seed(),
                    id);
        } catch (RemoteModelException e) {
            if (e.status() >= 400 && e.status() < 500 && e.status() != 429) {
                ObjectNode rec = ItemRecords.failed(q, e.getMessage(), (System.nanoTime() - t0) / 1e9);
                rec.put("id", id).put("kept", false).put("finished_at", Instant.now().toString());
                return new Asked(q, id, rec, null);
            }
            throw e;
        }
        Vote vote = Vote.of(java.util.Collections.singletonList(run.answer()), options.tieBreak());
        ItemOutcome outcome = new ItemOutcome(run.answer(), false, vote.counts(), run.answer() == null ? 1 : 0,
                run.attempts(), null);
        ObjectNode rec = ItemRecords.of(q, outcome, (System.nanoTime() - t0) / 1e9);
        boolean correct = q.gold().equals(run.answer());
        rec.put("id", id).put("kept", correct).put("finished_at", Instant.now().toString());
        Example example = null;
        if (correct) {
            LinkedHashMap<String, String> opts = new LinkedHashMap<>();
            for (int i = 0; i < q.options().size(); i++) {
                opts.put(Question.letter(i), q.options().get(i));
            }
            example = new Example(id, q.question(), opts, run.attempts().getLast().output().strip(), q.gold());
        }
        return new Asked(q, id, rec, example);
    }
}
