package org.aloe4j.cli;

import java.util.List;
import org.aloe4j.rag.docs.RagContext;
import org.aloe4j.rag.docs.Retriever;
import org.aloe4j.server.Grounding;

/** {@code aloe serve --rag INDEX}: the document index's retriever as the server's grounding. */
final class RetrieverGrounding implements Grounding, AutoCloseable {
    private final Retriever retriever;
    private final int passages;

    RetrieverGrounding(Retriever retriever, int passages) {
        this.retriever = retriever;
        this.passages = passages;
    }

    @Override
    public Context ground(String question) {
        RagContext ctx;
        synchronized (retriever) { // one embedder session, shared by all request threads
            ctx = retriever.build(question, passages);
        }
        List<Source> sources = ctx.sources().stream()
                .map(s -> new Source(s.number(), s.label(), s.file(), s.score()))
                .toList();
        return new Context(ctx.groundingPrompt(), sources);
    }

    @Override
    public void close() {
        retriever.close();
    }
}
