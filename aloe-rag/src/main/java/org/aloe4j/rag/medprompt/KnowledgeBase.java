package org.aloe4j.rag.medprompt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.aloe4j.rag.RagException;
import org.aloe4j.rag.embed.Embedder;
import org.aloe4j.rag.embed.Embedders;
import org.aloe4j.rag.embed.EmbeddingProgress;
import org.aloe4j.rag.store.LuceneStore;
import org.aloe4j.rag.store.SearchHit;
import org.aloe4j.rag.store.StoredDocument;
import org.aloe4j.rag.store.VectorStore;

/**
 * Medprompt's store of solved examples, searched by question similarity (Microsoft promptbase's dynamic few-shot
 * selection, as HPAI's prompt_engine runs it).
 *
 * <p>Only the question text is embedded, with no instruction prefix (question-to-question similarity, the same
 * embedding on both sides); options, reasoning and answer are stored beside it. {@link #nearest} orders the found
 * examples from least to most similar, so that the most similar one comes last, right before the test question in
 * the prompt.
 *
 * <p>The store records the embedder's name in its metadata; opening it with another embedder is refused.
 */
public final class KnowledgeBase implements AutoCloseable {

    /** Metadata keys of the underlying store. */
    public static final String EMBEDDER_KEY = Embedders.EMBEDDER_KEY;
    public static final String KIND_KEY = "kind";
    public static final String KIND = "medprompt-knowledge-base";

    static final String QUESTION = "question";
    static final String OPTIONS = "options";
    static final String REASONING = "reasoning";
    static final String ANSWER = "answer";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<LinkedHashMap<String, String>> OPTIONS_TYPE = new TypeReference<>() {};

    private final VectorStore store;
    private final Embedder embedder;
    private final boolean ownsEmbedder;

    /** A knowledge base over {@code store}; {@link #close()} closes the store but not the embedder. */
    public KnowledgeBase(VectorStore store, Embedder embedder) {
        this(store, embedder, false);
    }

    private KnowledgeBase(VectorStore store, Embedder embedder, boolean ownsEmbedder) {
        if (store.dimension() != embedder.dimension()) {
            throw new RagException("knowledge base holds vectors of dimension " + store.dimension() + " but embedder "
                    + embedder.name() + " makes " + embedder.dimension());
        }
        Map<String, String> meta = store.metadata();
        String recorded = meta.get(EMBEDDER_KEY);
        if (recorded != null && !recorded.equals(embedder.name())) {
            throw new RagException("knowledge base was built with embedder " + recorded + ", not " + embedder.name());
        }
        String kind = meta.get(KIND_KEY);
        if (kind != null && !kind.equals(KIND)) {
            throw new RagException("index is a " + kind + ", not a Medprompt knowledge base");
        }
        this.store = store;
        this.embedder = embedder;
        this.ownsEmbedder = ownsEmbedder;
    }

    /**
     * Opens the knowledge base imported into {@code dir} (by {@code aloe medprompt import}) read-only, with the
     * embedder it was built with; closing it closes both.
     */
    public static KnowledgeBase open(Path dir) {
        LuceneStore store = LuceneStore.openReadOnly(dir);
        Embedder embedder = null;
        try {
            String kind = store.metadata().get(KIND_KEY);
            if (!KIND.equals(kind)) {
                throw new RagException(dir + ": not a Medprompt knowledge base (kind " + kind + ")");
            }
            embedder = Embedders.forIndex(store.metadata());
            return new KnowledgeBase(store, embedder, true);
        } catch (RuntimeException e) {
            store.close();
            if (embedder != null) {
                embedder.close();
            }
            throw e;
        }
    }

    public VectorStore store() {
        return store;
    }

    public Embedder embedder() {
        return embedder;
    }

    public void add(List<Example> examples) {
        add(examples, EmbeddingProgress.NONE);
    }

    /** Embeds the examples' questions and stores them; an example whose id is already stored replaces it. */
    public void add(List<Example> examples, EmbeddingProgress progress) {
        if (examples.isEmpty()) {
            return;
        }
        if (!store.metadata().containsKey(EMBEDDER_KEY)) {
            Embedders.describe(embedder).forEach(store::putMetadata);
            store.putMetadata(KIND_KEY, KIND);
        }
        List<String> questions = examples.stream().map(Example::question).toList();
        float[][] vectors = embedder.embed(questions, progress);
        List<StoredDocument> docs = new ArrayList<>(examples.size());
        for (int i = 0; i < vectors.length; i++) {
            docs.add(toDocument(examples.get(i), vectors[i]));
        }
        store.add(docs);
    }

    private static StoredDocument toDocument(Example e, float[] vector) {
        String options;
        try {
            options = JSON.writeValueAsString(e.options());
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex); // a map of strings always serializes
        }
        return new StoredDocument(e.id(), e.question(), vector, Map.of(QUESTION, e.question(), OPTIONS, options,
                REASONING, e.reasoning(), ANSWER, e.answer()));
    }

    private static Example toExample(SearchHit hit) {
        try {
            LinkedHashMap<String, String> options = JSON.readValue(hit.field(OPTIONS), OPTIONS_TYPE);
            return new Example(hit.id(), hit.field(QUESTION), options, hit.field(REASONING), hit.field(ANSWER));
        } catch (JsonProcessingException | IllegalArgumentException | NullPointerException e) {
            throw new RagException("knowledge base entry " + hit.id() + " is not a Medprompt example: " + e.getMessage());
        }
    }

    /**
     * The {@code k} examples whose questions are most similar to {@code question}, least similar first (the most
     * similar is last). Fewer when the base holds fewer.
     */
    public List<RetrievedExample> nearest(String question, int k) {
        List<RetrievedExample> found = search(question, k);
        return found.reversed();
    }

    /**
     * As {@link #nearest(String, int)}, but {@code k * nRank} candidates are retrieved by embedding and the
     * {@code reranker}'s best {@code k} are kept, least relevant first. Similarities stay the embedding ones.
     */
    public List<RetrievedExample> nearest(String question, int k, Reranker reranker, int nRank) {
        if (nRank < 1) {
            throw new IllegalArgumentException("nRank must be >= 1");
        }
        List<RetrievedExample> candidates = search(question, k * nRank);
        double[] scores = reranker.score(question, candidates.stream().map(RetrievedExample::example).toList());
        if (scores.length != candidates.size()) {
            throw new RagException("reranker gave " + scores.length + " scores for " + candidates.size()
                    + " candidates");
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            order.add(i);
        }
        // best reranker score first; equal scores keep the embedding order
        order.sort(Comparator.comparingDouble((Integer i) -> scores[i]).reversed());
        List<RetrievedExample> kept = new ArrayList<>();
        for (int i = 0; i < Math.min(k, order.size()); i++) {
            kept.add(candidates.get(order.get(i)));
        }
        return kept.reversed();
    }

    private List<RetrievedExample> search(String question, int k) {
        if (k < 1) {
            return List.of();
        }
        float[] query = embedder.embed(question);
        List<RetrievedExample> out = new ArrayList<>();
        for (SearchHit hit : store.nearest(query, k)) {
            out.add(new RetrievedExample(toExample(hit), hit.score()));
        }
        return out;
    }

    public long size() {
        return store.count();
    }

    public void commit() {
        store.commit();
    }

    /** Closes the store, and the embedder when {@link #open} made it. */
    @Override
    public void close() {
        try {
            store.close();
        } finally {
            if (ownsEmbedder) {
                embedder.close();
            }
        }
    }
}
