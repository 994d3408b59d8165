package org.aloe4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.aloe4j.rag.RagException;
import org.aloe4j.rag.embed.Embedder;
import org.aloe4j.rag.medprompt.KnowledgeBase;
import org.aloe4j.rag.medprompt.KnowledgeBaseImporter;
import org.aloe4j.rag.store.LuceneStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code aloe medprompt import FILE.jsonl --index INDEX}: loads a prebuilt knowledge base. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Load a prebuilt Medprompt knowledge base into an index.",
                "FILE holds one JSON object per line: question, options ({\"A\": text, ...} or a list), reasoning, "
                        + "answer (a letter), optional id. Only the question is embedded. Bad lines are reported by "
                        + "number and skipped."})
final class MedpromptImportCommand implements Callable<Integer> {

    /** Bad lines printed one by one before only counting the rest. */
    static final int MAX_REPORTED_BAD_LINES = 100;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE.jsonl", description = "The knowledge base as JSON lines.")
    Path file;

    @Option(names = "--index", required = true, paramLabel = "INDEX", description = "Index directory (created or added to).")
    Path index;

    @Option(names = "--batch", defaultValue = "256", description = "Examples embedded and stored per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Mixin
    EmbedderOptions embedderOptions;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ProgressLine progress = new ProgressLine(err);
        long[] badShown = {0};
        try (Embedder embedder = embedderOptions.create();
                KnowledgeBase kb = new KnowledgeBase(LuceneStore.open(index, embedder.dimension()), embedder)) {
            KnowledgeBaseImporter.Report report = new KnowledgeBaseImporter(kb, batch).importJsonl(file,
                    new KnowledgeBaseImporter.Listener() {
                        @Override
                        public void badLine(Path f, long line, String problem) {
                            if (badShown[0]++ < MAX_REPORTED_BAD_LINES) {
                                progress.message(f + ":" + line + ": " + problem + " (skipped)");
                            }
                        }

                        @Override
                        public void progress(long linesRead, long stored) {
                            progress.update(String.format("%,d lines read, %,d examples stored (%.0f/s)", linesRead,
                                    stored, stored / Math.max(1e-9, progress.seconds())));
                        }
                    });
            progress.finish();
            if (kb.store() instanceof LuceneStore lucene && report.imported() > 0) {
                // one HNSW graph instead of one per segment: at 200k examples, queries about 10 times faster
                long t0 = System.nanoTime();
                err.println("merging the index into one segment...");
                err.flush();
                lucene.forceMerge();
                lucene.commit();
                err.printf("merged in %.1f s%n", (System.nanoTime() - t0) / 1e9);
            }
            if (report.bad() > MAX_REPORTED_BAD_LINES) {
                err.println("... " + (report.bad() - MAX_REPORTED_BAD_LINES) + " more bad lines not shown");
            }
            out.printf("Imported %,d examples from %s into %s with %s in %.1f s (%,d bad lines skipped); "
                    + "the knowledge base holds %,d examples.%n", report.imported(), file, index, embedder.name(),
                    progress.seconds(), report.bad(), kb.size());
            return report.imported() > 0 || report.lines() == 0 ? 0 : 1;
        } catch (RagException | IllegalArgumentException e) {
            progress.finish();
            err.println("aloe medprompt import: " + e.getMessage());
            return 1;
        }
    }
}
