package org.aloe4j.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.aloe4j.eval.data.Benchmark;
import org.aloe4j.eval.data.DatasetException;
import org.aloe4j.eval.data.LoaderOptions;
import org.aloe4j.eval.method.EvalMethod;
import org.aloe4j.eval.method.EvalMethods;
import org.aloe4j.eval.method.MethodOptions;
import org.aloe4j.eval.method.TieBreak;
import org.aloe4j.eval.run.EvalRunner;
import org.aloe4j.eval.run.RunConfig;
import org.aloe4j.generation.LanguageModel;
import org.aloe4j.rag.RagException;
import org.aloe4j.remote.RemoteModelException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code aloe eval}: runs a medical benchmark with a local model or an OpenAI-compatible server. */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate a model on a medical benchmark (MedQA, MedMCQA, PubMedQA, MMLU medical, CareQA, or"
                + " your own JSONL).",
                "Writes generations.jsonl (resumable), results.json, report.md and accuracy.png to --out."},
        subcommands = {EvalInspectCommand.class, EvalCompareCommand.class, EvalOpenCommand.class})
public final class EvalCommand implements Callable<Integer> {

    @Option(names = "--bench", paramLabel = "NAME",
            description = "medqa | medmcqa | pubmedqa | mmlu-medical | careqa | jsonl")
    String bench;

    @Option(names = "--data", paramLabel = "FILE_OR_DIR", description = "the benchmark's file or folder")
    Path data;

    @Mixin
    BackendOptions backend = new BackendOptions();

    @Option(names = "--method", defaultValue = "loglik",
            description = "loglik (the paper's MCQA method) | zero-shot | cot | sc-cot | medprompt (when installed);"
                    + " default: ${DEFAULT-VALUE}")
    String method;

    @Option(names = "--limit", paramLabel = "N", description = "only the first N items")
    Integer limit;

    @Option(names = "--concurrency", paramLabel = "C", defaultValue = "1",
            description = "items answered at once (default: ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--seed", paramLabel = "S", description = "seed for sampled requests (a seed per call is derived)")
    Long seed;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "5",
            description = "runs per question for sc-cot, ensemble size for medprompt (up to 20); default:"
                    + " ${DEFAULT-VALUE}")
    int samples;

    @Option(names = "--shots", paramLabel = "K", defaultValue = "0",
            description = "few-shot exemplars before each question (MMLU dev files); default: ${DEFAULT-VALUE}")
    int shots;

    @Option(names = "--temperature", paramLabel = "T", description = "override the method's temperature")
    Double temperature;

    @Option(names = "--max-tokens", paramLabel = "N", description = "override the method's max new tokens")
    Integer maxTokens;

    @Option(names = "--attempts", paramLabel = "N", defaultValue = "10",
            description = "tries per run while the reply has no parsable answer (default: ${DEFAULT-VALUE})")
    int attempts;

    @Option(names = "--tie-break", paramLabel = "RULE", defaultValue = "first-to-top",
            description = "first-to-top: the answer that reached the top count first; first-seen: prompt_engine's"
                    + " code (default: ${DEFAULT-VALUE})")
    String tieBreak;

    @Option(names = "--kb", paramLabel = "INDEX",
            description = "medprompt: the knowledge base of solved examples (aloe medprompt build / import)")
    Path kb;

    @Option(names = "--kb-k", paramLabel = "K",
            description = "medprompt: examples retrieved per question (default: 5; 0 = none)")
    Integer kbK;

    @Option(names = "--no-shuffle", description = "medprompt: show every ensemble member the options as given")
    boolean noShuffle;

    @Option(names = "--rerank-url", paramLabel = "URL",
            description = "medprompt: a reranker server (POST /v1/rerank) that picks the best K of K x N retrieved;"
                    + " API key from $ALOE_RERANK_API_KEY")
    String rerankUrl;

    @Option(names = "--rerank-model", paramLabel = "NAME", description = "medprompt: the reranker model name")
    String rerankModel;

    @Option(names = "--rerank-n", paramLabel = "N", description = "medprompt: candidates per kept example when"
            + " reranking (default: 3)")
    Integer rerankN;

    @Option(names = "--index-base", paramLabel = "0|1",
            description = "numeric answers (MedMCQA/CareQA cop) count from 0 or 1; default: detect from the file")
    Integer indexBase;

    @Option(names = "--out", paramLabel = "DIR", description = "output folder")
    Path out;

    @Option(names = "--resume", description = "continue the run in --out, skipping finished items")
    boolean resume;

    @Option(names = "--no-progress", description = "no progress bar")
    boolean noProgress;

    private final ModelOpener opener;
    private final PrintStream err;

    public EvalCommand() {
        this(ModelOpener.LOCAL, System.err);
    }

    /** For tests and for the lead's wiring: a custom opener for {@code --model}. */
    public EvalCommand(ModelOpener opener, PrintStream err) {
        this.opener = opener;
        this.err = err;
    }

    static TieBreak tieBreak(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "first-to-top" -> TieBreak.FIRST_TO_REACH_TOP;
            case "first-seen" -> TieBreak.FIRST_SEEN;
            default -> throw new IllegalArgumentException("--tie-break must be first-to-top or first-seen: " + s);
        };
    }

    /** The medprompt options as method parameters (part of the run's identity); refused with another method. */
    private MethodOptions medpromptParameters(MethodOptions mo) {
        boolean given = kb != null || kbK != null || noShuffle || rerankUrl != null || rerankModel != null
                || rerankN != null;
        if (!method.equals("medprompt")) {
            if (given) {
                throw new IllegalArgumentException("--kb, --kb-k, --no-shuffle and --rerank-* are for --method "
                        + "medprompt");
            }
            return mo;
        }
        if (kb != null) {
            mo = mo.withParameter("kb", kb.toAbsolutePath().normalize().toString());
        }
        if (kbK != null) {
            mo = mo.withParameter("k", kbK.toString());
        }
        if (noShuffle) {
            mo = mo.withParameter("shuffle", "false");
        }
        if (rerankUrl != null) {
            mo = mo.withParameter("rerank-url", rerankUrl);
        }
        if (rerankModel != null) {
            mo = mo.withParameter("rerank-model", rerankModel);
        }
        if (rerankN != null) {
            mo = mo.withParameter("n-rank", rerankN.toString());
        }
        return mo;
    }

    @Override
    public Integer call() {
        try {
            if (bench == null || data == null || out == null || !backend.given()) {
                err.println("aloe eval: needs --bench, --data, --out and one of --model PATH / --backend URL"
                        + " (see aloe eval --help)");
                return 2;
            }
            Benchmark b = Benchmark.fromCliName(bench);
            MethodOptions mo = medpromptParameters(new MethodOptions(temperature, maxTokens, seed, samples, attempts,
                    shots, tieBreak(tieBreak)));
            EvalMethod m = EvalMethods.create(method, mo);
            RunConfig cfg = new RunConfig(b, data, new LoaderOptions(indexBase), method, mo, limit, concurrency, out,
                    resume, !noProgress);
            try (AutoCloseable closeMethod = m instanceof AutoCloseable c ? c : () -> { };
                 LanguageModel model = backend.open(opener)) {
                EvalRunner.Outcome o = EvalRunner.run(cfg, model, m, err);
                var r = o.results();
                err.printf(Locale.ROOT, "aloe eval: %s %s %s: %d/%d correct, accuracy %.2f%% (95%% CI %.2f-%.2f,"
                                + " Wilson); %d without a parsable answer; results in %s%n", b.cliName(), m.name(),
                        model.name(), r.get("correct").asLong(), r.get("n").asLong(),
                        100 * r.get("accuracy").asDouble(), 100 * r.get("ci95").get(0).asDouble(),
                        100 * r.get("ci95").get(1).asDouble(), r.get("parse_failures").asLong(), out);
                return 0;
            }
        } catch (EvalRunner.RunStoppedException e) {
            err.println(e.getMessage());
            return 3;
        } catch (IllegalArgumentException | IllegalStateException | DatasetException | RemoteModelException
                 | RagException | UnsupportedOperationException | org.aloe4j.formats.ModelFormatException e) {
            err.println("aloe eval: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            err.println("aloe eval: " + e);
            return 1;
        }
    }
}
