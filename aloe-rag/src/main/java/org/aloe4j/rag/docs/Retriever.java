package org.aloe4j.rag.docs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.aloe4j.rag.RagException;
import org.aloe4j.rag.embed.Embedder;
import org.aloe4j.rag.embed.Embedders;
import org.aloe4j.rag.store.LuceneStore;
import org.aloe4j.rag.store.SearchHit;
import org.aloe4j.rag.store.VectorStore;

/**
 * Finds the chunks of a document index that answer a question, for chat and serve to ground their answers.
 *
 * <p>The question is embedded with the embedder's query instruction (bge's "Represent this sentence for searching
 * relevant passages: "), since a short question is matched against longer passages.
 *
 * <p>{@link Mode#VECTOR} (the default) ranks by cosine alone. {@link Mode#HYBRID} fuses the cosine ranking with
 * BM25 by reciprocal rank fusion ({@code RankFusion}) when the store has text search; it helps when questions share
 * rare terms with the passages (drug names, acronyms), but on the project's labelled set of lay questions it lowered
 * recall@1 from 0.92 to 0.76 (see RetrievalQualityTest), hence not the default.
 */
public final class Retriever implements AutoCloseable {

    public enum Mode { VECTOR, HYBRID }

    private final VectorStore store;
    private final Embedder embedder;
    private final Mode mode;
    private final boolean owns;

    /** A vector-mode retriever over {@code store}; closing it closes neither the store nor the embedder. */
    public Retriever(VectorStore store, Embedder embedder) {
        this(store, embedder, Mode.VECTOR, false);
    }

    public Retriever(VectorStore store, Embedder embedder, Mode mode) {
        this(store, embedder, mode, false);
    }

    private Retriever(VectorStore store, Embedder embedder, Mode mode, boolean owns) {
        if (store.dimension() != embedder.dimension()) {
            throw new RagException("index holds vectors of dimension " + store.dimension() + " but embedder "
                    + embedder.name() + " makes " + embedder.dimension());
        }
        checkIndex(store.metadata(), embedder);
        this.store = store;
        this.embedder = embedder;
        this.mode = mode;
        this.owns = owns;
    }

    /**
     * Opens the document index built by {@code aloe index} in {@code dir} read-only, with the embedder it was built
     * with. Closing the retriever closes both.
     */
    public static Retriever open(Path dir) {
        return open(dir, Mode.VECTOR);
    }

    /** As {@link #open(Path)}, with the given ranking mode. */
    public static Retriever open(Path dir, Mode mode) {
        LuceneStore store = LuceneStore.openReadOnly(dir);
        Embedder embedder = null;
        try {
            String kind = store.metadata().get(DocumentIndexer.KIND_KEY);
            if (!DocumentIndexer.KIND.equals(kind)) {
                throw new RagException(dir + ": not a document index (kind " + kind + ")");
            }
            embedder = Embedders.forIndex(store.metadata());
            return new Retriever(store, embedder, mode, true);
        } catch (RuntimeException e) {
            store.close();
            if (embedder != null) {
                embedder.close();
            }
            throw e;
        }
    }

    static void checkIndex(Map<String, String> metadata, Embedder embedder) {
        String kind = metadata.get(DocumentIndexer.KIND_KEY);
        if (kind != null && !kind.equals(DocumentIndexer.KIND)) {
            throw new RagException("index is a " + kind + ", not a document index");
        }
        String recorded = metadata.get(Embedders.EMBEDDER_KEY);
        if (recorded != null && !recorded.equals(embedder.name())) {
            throw new RagException("index was built with embedder " + recorded + ", not " + embedder.name());
        }
    }

    /** The {@code k} best chunks for {@code question}, best first. */
    public List<RetrievedChunk> retrieve(String question, int k) {
        float[] query = embedder.embed(embedder.queryInstruction() + question);
        List<RetrievedChunk> out = new ArrayList<>();
        List<SearchHit> hits = mode == Mode.HYBRID ? store.hybrid(question, query, k) : store.nearest(query, k);
        for (SearchHit hit : hits) {
            String position = hit.field(DocumentIndexer.POSITION);
            out.add(new RetrievedChunk(new Chunk(hit.field(DocumentIndexer.SOURCE),
                    hit.fields().getOrDefault(DocumentIndexer.LOCATION, ""),
                    position == null ? 0 : Integer.parseInt(position), hit.text()), hit.score()));
        }
        return out;
    }

    /**
     * The context for answering {@code question}: the {@code k} best chunks numbered [1]..[k] (best first), each
     * under a line naming its source, and the matching source list.
     */
    public RagContext build(String question, int k) {
        List<RetrievedChunk> chunks = retrieve(question, k);
        StringBuilder text = new StringBuilder();
        List<Source> sources = new ArrayList<>();
        for (RetrievedChunk rc : chunks) {
            Chunk c = rc.chunk();
            Source s = new Source(sources.size() + 1, c.source(), c.location(), c.position(), rc.score());
            sources.add(s);
            if (!text.isEmpty()) {
                text.append("\n\n");
            }
            text.append('[').append(s.number()).append("] (").append(s.label()).append(")\n").append(c.text());
        }
        return new RagContext(question, text.toString(), sources);
    }

    public long size() {
        return store.count();
    }

    @Override
    public void close() {
        if (owns) {
            try {
                store.close();
            } finally {
                embedder.close();
            }
        }
    }
}
