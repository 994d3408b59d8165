package org.aloe4j.rag.embed;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.aloe4j.rag.RagException;

/**
 * BAAI bge-small-en-v1.5 (384 dimensions), int8-quantized ONNX, run in process by onnxruntime: the model and its
 * tokenizer ship inside langchain4j's Maven Central jar, so it works offline with nothing to download.
 *
 * <p>Texts longer than the model's 512 tokens are cut into parts whose embeddings langchain4j averages. Output
 * vectors are normalized to unit length here whatever the library returns.
 *
 * <p>Query convention: bge was trained with {@link #QUERY_INSTRUCTION} in front of short queries that look for
 * passages; {@link #queryInstruction()} returns it so that document retrieval ({@code Retriever}) can add it. It is
 * not used for question-to-question similarity (the Medprompt knowledge base embeds both sides the same way).
 */
public final class BgeSmallEmbedder implements Embedder {

    public static final String NAME = "bge-small-en-v1.5-q";
    public static final int DIMENSION = 384;
    public static final String QUERY_INSTRUCTION = "Represent this sentence for searching relevant passages: ";

    private final ExecutorService executor;
    private final BgeSmallEnV15QuantizedEmbeddingModel model;
    private final int batchSize;

    /**
     * One text at a time (onnxruntime already spreads one call over the cores; on 2 cores a second concurrent call
     * gave no consistent gain, see docs/performance.md), batches of 32 texts.
     */
    public BgeSmallEmbedder() {
        this(1, 32);
    }

    /**
     * @param threads how many texts are embedded at once (each text is one onnxruntime call)
     * @param batchSize how many texts one {@link #embed(List)} call takes when a long list is split (progress step)
     */
    public BgeSmallEmbedder(int threads, int batchSize) {
        if (threads < 1 || batchSize < 1) {
            throw new IllegalArgumentException("threads and batchSize must be >= 1");
        }
        this.executor = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "bge-embed");
            t.setDaemon(true);
            return t;
        });
        this.batchSize = batchSize;
        try {
            this.model = new BgeSmallEnV15QuantizedEmbeddingModel(executor);
        } catch (RuntimeException | LinkageError e) {
            executor.shutdownNow();
            throw new RagException("cannot load the bundled bge-small-en-v1.5 model: " + e, e);
        }
    }

    @Override
    public float[][] embed(List<String> texts) {
        if (texts.isEmpty()) {
            return new float[0][];
        }
        List<TextSegment> segments = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            segments.add(TextSegment.from(Embedder.requireText(texts, i)));
        }
        List<Embedding> embeddings = model.embedAll(segments).content();
        float[][] out = new float[texts.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = Vectors.normalized(embeddings.get(i).vector());
        }
        return out;
    }

    @Override
    public int dimension() {
        return DIMENSION;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int batchSize() {
        return batchSize;
    }

    @Override
    public String queryInstruction() {
        return QUERY_INSTRUCTION;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
