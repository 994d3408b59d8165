package org.aloe4j.eval.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.aloe4j.eval.data.LoadResult;
import org.aloe4j.eval.data.Question;
import org.aloe4j.eval.data.RowError;
import org.aloe4j.eval.method.EvalMethod;
import org.aloe4j.eval.method.ItemOutcome;
import org.aloe4j.eval.method.MethodOptions;
import org.aloe4j.eval.report.AccuracyChart;
import org.aloe4j.eval.report.MarkdownReport;
import org.aloe4j.eval.report.PublishedFigures;
import org.aloe4j.eval.report.Results;
import org.aloe4j.generation.LanguageModel;
import org.aloe4j.remote.RemoteModelException;

/**
 * Runs a method over a benchmark with any {@link LanguageModel} and writes, in the output folder:
 * {@code generations.jsonl} (one record per item, appended and flushed as each finishes: see
 * {@link GenerationsLog}), {@code run.json} (the run's settings and sessions), {@code results.json},
 * {@code report.md} and {@code accuracy.png}.
 *
 * <p>Resumable: with {@code resume}, items already in generations.jsonl are not asked again, a torn last line is
 * dropped and its item redone, and the settings must match the first session's. Items are answered
 * {@code concurrency} at a time. A request the server refuses outright (HTTP 4xx other than 429) marks that item
 * wrong with its error; any other failure (server down after all retries...) stops the run, keeps what was done,
 * writes partial results and is rethrown: run again with resume.
 */
public final class EvalRunner {
    private EvalRunner() {}

    public static final String GENERATIONS = "generations.jsonl";
    public static final String RUN = "run.json";
    public static final String RESULTS = "results.json";
    public static final String REPORT = "report.md";
    public static final String CHART = "accuracy.png";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What a session did. {@code results} is what was written to results.json. */
    public record Outcome(Path outDir, ObjectNode results, boolean complete, int answeredNow, int alreadyDone,
                          boolean droppedTornLine, List<RowError> rejectedRows) {}

    /** Thrown after partial results are written when the run could not finish. */
    public static final class RunStoppedException extends RuntimeException {
        public RunStoppedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public static Outcome run(RunConfig cfg, LanguageModel model, EvalMethod method, PrintStream log)
            throws IOException {
        long started = System.nanoTime();
        Instant startedAt = Instant.now();
        LoadResult data = cfg.benchmark().loader().load(cfg.data(), cfg.loaderOptions());
        for (RowError e : data.errors()) {
            log.println("aloe eval: skipped row: " + e);
        }
        List<Question> selected = cfg.limit() == null ? data.questions()
                : data.questions().subList(0, Math.min(cfg.limit(), data.questions().size()));

        Files.createDirectories(cfg.outDir());
        Path genFile = cfg.outDir().resolve(GENERATIONS);
        Path runFile = cfg.outDir().resolve(RUN);
        ObjectNode identity = identity(cfg, model.name(), method.name());
        ObjectNode runJson = prepareRunJson(cfg, genFile, runFile, identity);
        ArrayNode sessions = (ArrayNode) runJson.withArray("sessions");
        ObjectNode session = sessions.addObject().put("started", startedAt.toString());
        session.putNull("seconds"); // stays null if this session is killed; estimated from its items then
        // written before the first item, so that a run killed at any point can be resumed and checked
        JSON.writeValue(runFile.toFile(), runJson);

        try (GenerationsLog gen = GenerationsLog.open(genFile)) {
            if (gen.droppedTornLine()) {
                log.println("aloe eval: " + genFile + ": the last line was torn by an interrupted run; dropped, its"
                        + " item runs again");
            }
            Map<String, JsonNode> done = gen.records();
            List<Question> todo = selected.stream().filter(q -> !done.containsKey(q.id())).toList();
            int alreadyDone = selected.size() - todo.size();
            AtomicLong correct = new AtomicLong(selected.stream().filter(q -> done.containsKey(q.id())
                    && done.get(q.id()).path("correct").asBoolean(false)).count());
            AtomicLong finished = new AtomicLong(alreadyDone);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicLong answeredNow = new AtomicLong();

            try (Progress progress = cfg.progress() && !todo.isEmpty()
                    ? Progress.bar(cfg.benchmark().cliName() + " " + method.name(), selected.size(), alreadyDone,
                    System.err)
                    : Progress.none()) {
                ExecutorService pool = Executors.newFixedThreadPool(cfg.concurrency(), r -> {
                    Thread t = new Thread(r, "aloe-eval-worker");
                    t.setDaemon(true);
                    return t;
                });
                try {
                    List<Future<?>> futures = new ArrayList<>();
                    for (Question q : todo) {
                        futures.add(pool.submit(() -> {
                            if (stop.get()) {
                                return;
                            }
                            List<Question> exemplars = data.exemplars().getOrDefault(q.subject(), List.of());
                            long t0 = System.nanoTime();
                            ObjectNode rec;
                            try {
                                ItemOutcome o = method.answer(model, q, exemplars);
                                rec = ItemRecords.of(q, o, (System.nanoTime() - t0) / 1e9);
                            } catch (RemoteModelException e) {
                                if (e.status() >= 400 && e.status() < 500 && e.status() != 429) {
                                    rec = ItemRecords.failed(q, e.getMessage(), (System.nanoTime() - t0) / 1e9);
                                } else {
                                    fail(stop, failure, e);
                                    return;
                                }
                            } catch (RuntimeException | Error e) {
                                fail(stop, failure, e);
                                return;
                            }
                            rec.put("finished_at", Instant.now().toString());
                            try {
                                gen.append(rec);
                            } catch (IOException e) {
                                fail(stop, failure, e);
                                return;
                            }
                            answeredNow.incrementAndGet();
                            if (rec.path("correct").asBoolean()) {
                                correct.incrementAndGet();
                            }
                            progress.step(correct.get(), finished.incrementAndGet());
                        }));
                    }
                    for (Future<?> f : futures) {
                        try {
                            f.get();
                        } catch (ExecutionException e) {
                            fail(stop, failure, e.getCause());
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            fail(stop, failure, e);
                            break;
                        }
                    }
                } finally {
                    pool.shutdownNow();
                }
            }

            Map<String, JsonNode> all = gen.records();
            List<JsonNode> records = new ArrayList<>();
            for (Question q : selected) {
                JsonNode r = all.get(q.id());
                if (r != null) {
                    records.add(r);
                }
            }
            boolean complete = records.size() == selected.size();
            double sessionSeconds = (System.nanoTime() - started) / 1e9;
            session.put("seconds", sessionSeconds).put("items_answered", answeredNow.get());
            JSON.writeValue(runFile.toFile(), runJson);
            double wall = wallTime(sessions, all.values());
            ObjectNode results = buildResults(cfg, identity, data, selected.size(), records, complete, wall);
            writeOutputs(cfg.outDir(), results, model.name(), method.name());
            Outcome out = new Outcome(cfg.outDir(), results, complete, (int) answeredNow.get(), alreadyDone,
                    gen.droppedTornLine(), data.errors());
            Throwable t = failure.get();
            if (t != null) {
                throw new RunStoppedException("aloe eval stopped after " + records.size() + " of " + selected.size()
                        + " items (" + oneLine(t) + "); what was done is kept in " + genFile
                        + ": run again with --resume", t);
            }
            return out;
        }
    }

    /**
     * The sum of the sessions' times; a session killed before it could write its time counts until the last item
     * it finished (its items carry {@code finished_at}).
     */
    static double wallTime(ArrayNode sessions, java.util.Collection<JsonNode> records) {
        double wall = 0;
        for (int i = 0; i < sessions.size(); i++) {
            JsonNode s = sessions.get(i);
            if (s.hasNonNull("seconds")) {
                wall += s.get("seconds").asDouble();
                continue;
            }
            Instant start = Instant.parse(s.get("started").asText());
            Instant next = i + 1 < sessions.size() ? Instant.parse(sessions.get(i + 1).get("started").asText())
                    : Instant.MAX;
            Instant last = start;
            for (JsonNode r : records) {
                if (r.hasNonNull("finished_at")) {
                    Instant t = Instant.parse(r.get("finished_at").asText());
                    if (t.isAfter(last) && t.isBefore(next)) {
                        last = t;
                    }
                }
            }
            wall += java.time.Duration.between(start, last).toNanos() / 1e9;
        }
        return wall;
    }

    private static void fail(AtomicBoolean stop, AtomicReference<Throwable> failure, Throwable t) {
        stop.set(true);
        failure.compareAndSet(null, t);
    }

    private static String oneLine(Throwable t) {
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }

    /** The settings that must stay the same across the sessions of one run. */
    static ObjectNode identity(RunConfig cfg, String model, String method) {
        MethodOptions o = cfg.methodOptions();
        ObjectNode id = JSON.createObjectNode();
        id.put("benchmark", cfg.benchmark().cliName());
        id.put("data", cfg.data().toAbsolutePath().normalize().toString());
        id.put("method", method);
        id.put("model", model);
        ObjectNode opts = id.putObject("options");
        opts.put("samples", o.samples());
        if (o.seed() != null) {
            opts.put("seed", o.seed());
        } else {
            opts.putNull("seed");
        }
        opts.put("shots", o.shots());
        if (o.temperature() != null) {
            opts.put("temperature", o.temperature());
        } else {
            opts.putNull("temperature");
        }
        if (o.maxTokens() != null) {
            opts.put("max_tokens", o.maxTokens());
        } else {
            opts.putNull("max_tokens");
        }
        opts.put("max_attempts", o.maxAttempts());
        opts.put("tie_break", o.tieBreak().name().toLowerCase(java.util.Locale.ROOT));
        if (cfg.loaderOptions().indexBase() != null) {
            opts.put("index_base", cfg.loaderOptions().indexBase());
        }
        if (!o.parameters().isEmpty()) {
            ObjectNode params = opts.putObject("parameters");
            o.parameters().forEach(params::put);
        }
        return id;
    }

    private static ObjectNode prepareRunJson(RunConfig cfg, Path genFile, Path runFile, ObjectNode identity)
            throws IOException {
        boolean hasItems = Files.exists(genFile) && Files.size(genFile) > 0;
        if (!cfg.resume()) {
            if (hasItems) {
                throw new IllegalStateException(cfg.outDir() + " already holds a run (" + GENERATIONS
                        + "): pass --resume to continue it, or choose another --out");
            }
            Files.deleteIfExists(genFile);
            ObjectNode fresh = JSON.createObjectNode();
            fresh.set("run", identity);
            fresh.putArray("sessions");
            return fresh;
        }
        if (!Files.exists(runFile)) {
            if (hasItems) {
                throw new IllegalStateException(runFile + " is missing: cannot check that " + GENERATIONS
                        + " belongs to this run");
            }
            ObjectNode fresh = JSON.createObjectNode();
            fresh.set("run", identity);
            fresh.putArray("sessions");
            return fresh;
        }
        ObjectNode existing = (ObjectNode) JSON.readTree(runFile.toFile());
        JsonNode before = existing.path("run");
        JsonNode now = JSON.readTree(identity.toString()); // as read back from disk: 1 is an int, not a long
        List<String> diffs = new ArrayList<>();
        Set<String> keys = new LinkedHashSet<>();
        before.fieldNames().forEachRemaining(keys::add);
        identity.fieldNames().forEachRemaining(keys::add);
        for (String k : keys) {
            if (!before.path(k).equals(now.path(k))) {
                diffs.add(k + ": was " + before.path(k) + ", now " + now.path(k));
            }
        }
        if (!diffs.isEmpty()) {
            throw new IllegalStateException("cannot resume the run in " + cfg.outDir() + " with other settings: "
                    + String.join("; ", diffs));
        }
        if (!existing.has("sessions")) {
            existing.putArray("sessions");
        }
        return existing;
    }

    private static ObjectNode buildResults(RunConfig cfg, ObjectNode identity, LoadResult data, int selected,
                                           List<JsonNode> records, boolean complete, double wall) {
        ObjectNode r = JSON.createObjectNode();
        r.put("benchmark", cfg.benchmark().cliName());
        r.put("benchmark_name", cfg.benchmark().displayName());
        r.put("method", identity.path("method").asText());
        r.put("model", identity.path("model").asText());
        r.put("data", identity.path("data").asText());
        r.setAll(Results.score(records));
        r.put("complete", complete);
        r.put("items_selected", selected);
        r.put("items_in_data", data.questions().size());
        r.put("rejected_rows", data.errors().size());
        ArrayNode rej = r.putArray("rejected");
        data.errors().stream().limit(100).forEach(e -> rej.add(e.toString()));
        ArrayNode notes = r.putArray("loader_notes");
        data.notes().forEach(notes::add);
        r.put("wall_time_s", wall);
        ObjectNode opts = identity.path("options").deepCopy();
        if (cfg.limit() != null) {
            opts.put("limit", cfg.limit());
        }
        opts.put("concurrency", cfg.concurrency());
        r.set("options", opts);
        ObjectNode pub = r.putObject("published");
        pub.put("source", PublishedFigures.SOURCE);
        ArrayNode rows = pub.putArray("rows");
        for (PublishedFigures.Row row : PublishedFigures.rowsFor(cfg.benchmark(), identity.path("model").asText())) {
            rows.addObject().put("model", row.model()).put("accuracy", row.value(cfg.benchmark()));
        }
        if (rows.isEmpty()) {
            pub.put("note", switch (cfg.benchmark()) {
                case PUBMEDQA -> "Table 9 has no PubMedQA column (PubMedQA is only inside the MultiMedQA average).";
                default -> "No published figure for custom data.";
            });
        }
        r.put("created", Instant.now().toString());
        return r;
    }

    /** Writes results.json, the chart and report.md from a results object. */
    public static void writeOutputs(Path outDir, ObjectNode results, String model, String method)
            throws IOException {
        JSON.writeValue(outDir.resolve(RESULTS).toFile(), results);
        List<PublishedFigures.Row> rows = new ArrayList<>();
        Iterator<JsonNode> it = results.path("published").path("rows").elements();
        org.aloe4j.eval.data.Benchmark bench = org.aloe4j.eval.data.Benchmark.fromCliName(
                results.path("benchmark").asText());
        while (it.hasNext()) {
            String name = it.next().path("model").asText();
            PublishedFigures.TABLE.stream().filter(x -> x.model().equals(name)).findFirst().ifPresent(rows::add);
        }
        String chartFile = null;
        try {
            AccuracyChart.write(outDir.resolve(CHART), bench.displayName() + " accuracy: this run vs the Aloe paper",
                    model + " (" + method + ")", 100 * results.path("accuracy").asDouble(), rows,
                    row -> row.value(bench));
            chartFile = CHART;
        } catch (IOException | RuntimeException | Error e) {
            // no fonts or no AWT on this machine: the figures are in results.json and report.md anyway
            results.put("chart_error", String.valueOf(e.getMessage()));
            JSON.writeValue(outDir.resolve(RESULTS).toFile(), results);
        }
        Files.writeString(outDir.resolve(REPORT), MarkdownReport.render(results, chartFile));
    }
}
