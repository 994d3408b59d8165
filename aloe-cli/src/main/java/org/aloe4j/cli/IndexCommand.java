package org.aloe4j.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.aloe4j.rag.RagException;
import org.aloe4j.rag.docs.Chunker;
import org.aloe4j.rag.docs.DocumentIndexer;
import org.aloe4j.rag.embed.Embedder;
import org.aloe4j.rag.store.LuceneStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code aloe index DOCS... --out INDEX}: builds a document index for retrieval-augmented answers. */
@Command(name = "index", mixinStandardHelpOptions = true,
        description = {"Index documents (txt, md, jsonl with a 'text' field, pdf; directories are walked) for "
                + "retrieval-augmented answers.",
                "Chunks of about --chunk-words words following paragraphs and sentences, with --overlap-words of "
                        + "overlap, embedded and stored in a Lucene index. Indexing a file again replaces its chunks."})
final class IndexCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "DOCS", description = "Files or directories to index.")
    List<Path> docs;

    @Option(names = "--out", required = true, paramLabel = "INDEX", description = "Index directory (created or added to).")
    Path out;

    @Option(names = "--chunk-words", defaultValue = "" + Chunker.DEFAULT_MAX_WORDS,
            description = "Largest chunk, in words (default: ${DEFAULT-VALUE}).")
    int chunkWords;

    @Option(names = "--overlap-words", defaultValue = "" + Chunker.DEFAULT_OVERLAP_WORDS,
            description = "Words of context repeated from the previous chunk (default: ${DEFAULT-VALUE}).")
    int overlapWords;

    @Mixin
    EmbedderOptions embedderOptions;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ProgressLine progress = new ProgressLine(err);
        Chunker chunker;
        try {
            chunker = new Chunker(chunkWords, overlapWords);
        } catch (IllegalArgumentException e) {
            err.println("aloe index: " + e.getMessage());
            return 2;
        }
        try (Embedder embedder = embedderOptions.create();
                LuceneStore store = LuceneStore.open(this.out, embedder.dimension())) {
            DocumentIndexer.Report report = new DocumentIndexer(store, embedder, chunker).index(docs,
                    new DocumentIndexer.Listener() {
                        @Override
                        public void skipped(String where, String problem) {
                            progress.message("skipped " + where + ": " + problem);
                        }

                        @Override
                        public void embedded(Path file, int done, int total) {
                            progress.update("embedding " + file.getFileName() + ": " + done + "/" + total + " chunks");
                        }

                        @Override
                        public void fileDone(Path file, int chunks) {
                            progress.message("indexed " + file + ": " + chunks + " chunks");
                        }
                    });
            progress.finish();
            if (report.files() == 0) {
                err.println("aloe index: no document indexed (supported: txt, md, jsonl, pdf)");
                return 1;
            }
            out.printf("Indexed %d files, %d chunks into %s with %s in %.1f s%s; the index holds %d chunks.%n",
                    report.files(), report.chunks(), this.out, embedder.name(), progress.seconds(),
                    report.skipped() > 0 ? " (" + report.skipped() + " skipped)" : "", store.count());
            return 0;
        } catch (RagException | IllegalArgumentException e) {
            progress.finish();
            err.println("aloe index: " + e.getMessage());
            return 1;
        }
    }
}
