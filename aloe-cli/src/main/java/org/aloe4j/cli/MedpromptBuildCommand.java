package org.aloe4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.aloe4j.eval.data.Benchmark;
import org.aloe4j.eval.data.DatasetException;
import org.aloe4j.eval.data.LoadResult;
import org.aloe4j.eval.data.LoaderOptions;
import org.aloe4j.eval.data.Question;
import org.aloe4j.eval.data.RowError;
import org.aloe4j.eval.method.MethodOptions;
import org.aloe4j.eval.method.RetrySchedule;
import org.aloe4j.generation.LanguageModel;
import org.aloe4j.medprompt.KnowledgeBaseBuilder;
import org.aloe4j.rag.RagException;
import org.aloe4j.rag.embed.Embedder;
import org.aloe4j.rag.medprompt.KnowledgeBase;
import org.aloe4j.rag.store.LuceneStore;
import org.aloe4j.remote.RemoteModelException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aloe medprompt build --bench B --data FILE (--model PATH | --backend URL) --out INDEX}: answers solved
 * questions with chain of thought and keeps the correct answers as Medprompt examples.
 */
@Command(name = "build", mixinStandardHelpOptions = true,
        description = {"Build a Medprompt knowledge base: answer solved questions (a training or validation split) "
                + "with chain of thought, keep only the correct answers, store question, options, reasoning and "
                + "answer, embedding the question.",
                "Resumable: questions already asked are listed in INDEX/" + KnowledgeBaseBuilder.LOG
                        + "; run the same command again to continue (delete INDEX to start over)."})
final class MedpromptBuildCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--bench", required = true, paramLabel = "NAME",
            description = "medqa | medmcqa | pubmedqa | mmlu-medical | careqa | jsonl")
    String bench;

    @Option(names = "--data", required = true, paramLabel = "FILE_OR_DIR", description = "the solved questions")
    Path data;

    @Mixin
    BackendOptions backend = new BackendOptions();

    @Option(names = "--out", required = true, paramLabel = "INDEX",
            description = "knowledge-base directory (created, or added to)")
    Path out;

    @Mixin
    EmbedderOptions embedderOptions;

    @Option(names = "--limit", paramLabel = "N", description = "only the first N questions")
    Integer limit;

    @Option(names = "--concurrency", paramLabel = "C", defaultValue = "1",
            description = "questions asked at once (default: ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "32",
            description = "questions per committed batch (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--seed", paramLabel = "S", description = "seed for sampled requests")
    Long seed;

    @Option(names = "--temperature", paramLabel = "T", description = "default: 0 (greedy)")
    Double temperature;

    @Option(names = "--max-tokens", paramLabel = "N", description = "default: " + KnowledgeBaseBuilder.DEFAULT_MAX_TOKENS)
    Integer maxTokens;

    @Option(names = "--attempts", paramLabel = "N", defaultValue = "" + RetrySchedule.DATABASE_ATTEMPTS,
            description = "tries while the reply has no parsable answer (default: ${DEFAULT-VALUE}, as prompt_engine)")
    int attempts;

    @Option(names = "--index-base", paramLabel = "0|1",
            description = "numeric answers (MedMCQA/CareQA cop) count from 0 or 1; default: detect from the file")
    Integer indexBase;

    private final ModelOpener opener;

    MedpromptBuildCommand() {
        this(ModelOpener.LOCAL);
    }

    MedpromptBuildCommand(ModelOpener opener) {
        this.opener = opener;
    }

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ProgressLine progress = new ProgressLine(err);
        try {
            if (!backend.given()) {
                err.println("aloe medprompt build: needs one of --model PATH / --backend URL");
                return 2;
            }
            Benchmark b = Benchmark.fromCliName(bench);
            MethodOptions options = new MethodOptions(temperature, maxTokens, seed, 1, attempts, 0, null);
            LoadResult loaded = b.loader().load(data, new LoaderOptions(indexBase));
            for (RowError e : loaded.errors()) {
                err.println("aloe medprompt build: skipped row: " + e);
            }
            List<Question> questions = limit == null ? loaded.questions()
                    : loaded.questions().subList(0, Math.min(limit, loaded.questions().size()));
            try (Embedder embedder = embedderOptions.create();
                    KnowledgeBase kb = new KnowledgeBase(LuceneStore.open(out, embedder.dimension()), embedder);
                    LanguageModel model = backend.open(opener)) {
                KnowledgeBaseBuilder.Report r;
                try {
                    r = new KnowledgeBaseBuilder(kb, options, concurrency, batch).build(model, b.cliName(), questions,
                            out.resolve(KnowledgeBaseBuilder.LOG), (done, total, kept) -> progress.update(
                                    String.format(Locale.ROOT, "%,d/%,d questions, %,d kept (%.2f questions/s)", done,
                                            total, kept, done / Math.max(1e-9, progress.seconds()))));
                } finally {
                    progress.finish();
                }
                if (kb.store() instanceof LuceneStore lucene && r.keptNow() > 0) {
                    lucene.forceMerge(); // one HNSW graph: faster queries
                    lucene.commit();
                }
                stdout.printf(Locale.ROOT, "Asked %,d of %,d questions of %s with %s (%,d asked before, %,d refused by "
                                + "the server): kept %,d correct answers; %s holds %,d examples (%s) in %.1f s.%n",
                        r.askedNow(), r.total(), data, model.name(), r.alreadyDone(), r.refusedNow(), r.keptNow(), out,
                        kb.size(), embedder.name(), progress.seconds());
                return 0;
            }
        } catch (RemoteModelException e) {
            err.println("aloe medprompt build: " + e.getMessage() + "; what was done is kept: run the same command "
                    + "again to continue");
            return 3;
        } catch (RagException | IllegalArgumentException | IllegalStateException | DatasetException
                 | UnsupportedOperationException e) {
            err.println("aloe medprompt build: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            err.println("aloe medprompt build: " + e);
            return 1;
        }
    }
}
