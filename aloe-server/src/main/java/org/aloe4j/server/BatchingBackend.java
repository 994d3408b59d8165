package org.aloe4j.server;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.aloe4j.generation.ChatRequest;
import org.aloe4j.generation.FinishReason;
import org.aloe4j.generation.LocalModel;
import org.aloe4j.generation.ModelFamily;
import org.aloe4j.generation.Sampler;
import org.aloe4j.model.KVCache;
import org.aloe4j.model.Transformer;
import org.aloe4j.tokenizer.Tokenizer;

/**
 * The local engine with continuous batching. One scheduler thread runs the model: each step is ONE
 * {@link Transformer#forward} over the rows of every active sequence (one decode row per running sequence, then
 * prompt rows of newly admitted ones, up to {@code maxBatchTokens}), so the weights are read once per step for all
 * of them. Up to {@code parallel} sequences run at once, each with its own KV cache; the others wait in a bounded
 * queue. Sampling, stop tokens and stop strings are the engine's own ({@link Sampler}, {@code StopStrings}), one
 * instance per sequence.
 *
 * <p>Because every row of a batched forward pass computes exactly what it would alone (each output is the same dot
 * product), a greedy request gives the same tokens whether it runs alone or next to others.
 */
public final class BatchingBackend implements Backend {

    /**
     * @param parallel       sequences generated at once
     * @param queueCapacity  sequences that may wait for a slot; more are refused (429)
     * @param maxBatchTokens rows per forward pass: bounds the work one step does, so a long new prompt is processed
     *                       in chunks between the decode steps of the running sequences
     */
    public record Options(int parallel, int queueCapacity, int maxBatchTokens) {
        public Options {
            if (parallel < 1 || queueCapacity < 0 || maxBatchTokens < parallel) {
                throw new IllegalArgumentException("need parallel >= 1, queue >= 0 and maxBatchTokens >= parallel, got "
                        + parallel + ", " + queueCapacity + ", " + maxBatchTokens);
            }
        }

        public static Options defaults() {
            return new Options(8, 64, 512);
        }
    }

    private final LocalModel model;
    private final String modelId;
    private final Transformer transformer;
    private final Tokenizer tokenizer;
    private final int vocab;
    private final int[] stopTokens;
    private final Options options;
    private final KVCachePool pool;
    private final Object encodeLock = new Object();

    private final Object lock = new Object();
    private final ArrayDeque<Sequence> waiting = new ArrayDeque<>(); // guarded by lock
    private volatile int running;
    private volatile boolean closed;
    private final Thread scheduler;
    volatile StepObserver stepObserver = StepObserver.NONE;

    private final AtomicLong steps = new AtomicLong();
    private final AtomicLong batchRows = new AtomicLong();
    private final AtomicLong promptTokens = new AtomicLong();
    private final AtomicLong generatedTokens = new AtomicLong();
    private final AtomicLong cancelled = new AtomicLong();

    // scheduler-thread state
    private final List<Sequence> active = new ArrayList<>();
    private final int[] rowTokens;
    private final int[] rowPositions;
    private final KVCache[] rowCaches;
    private final boolean[] rowWantsLogits;
    private final Sequence[] logitOwners;
    private final float[] logits;
    private final float[] scratch;

    public BatchingBackend(LocalModel model, String modelId, Options options) {
        this.model = model;
        this.modelId = modelId;
        this.transformer = model.transformer();
        this.tokenizer = model.tokenizer();
        this.vocab = transformer.config().vocabSize();
        this.stopTokens = model.stopTokenIds();
        this.options = options;
        this.pool = new KVCachePool(transformer, model.contextLength());
        int rows = options.maxBatchTokens();
        rowTokens = new int[rows];
        rowPositions = new int[rows];
        rowCaches = new KVCache[rows];
        rowWantsLogits = new boolean[rows];
        logitOwners = new Sequence[options.parallel()];
        logits = new float[options.parallel() * vocab];
        scratch = new float[vocab];
        scheduler = Thread.ofPlatform().name("aloe-scheduler").daemon().unstarted(this::loop);
        scheduler.start();
    }

    @Override
    public String modelId() {
        return modelId;
    }

    @Override
    public ModelFamily family() {
        return model.family();
    }

    @Override
    public int contextLength() {
        return model.contextLength();
    }

    @Override
    public boolean supportsLogitControls() {
        return true;
    }

    public Options options() {
        return options;
    }

    // ------------------------------------------------------------------------------------------------ submission

    @Override
    public Submission submit(GenerationJob job, GenerationListener listener) {
        if (closed) {
            throw ApiException.unavailable("the server is shutting down");
        }
        int[] prompt = encode(job.prompt());
        int context = model.contextLength();
        if (prompt.length >= context) {
            throw ApiException.invalid("messages", "This model's maximum context length is " + context
                    + " tokens; the prompt has " + prompt.length + " tokens.", "context_length_exceeded");
        }
        int maxNew = job.sampling().maxNewTokens();
        if (prompt.length + maxNew > context) {
            if (job.maxTokensGiven()) {
                throw ApiException.invalid("max_tokens", "This model's maximum context length is " + context
                        + " tokens; the prompt has " + prompt.length + " tokens and " + maxNew
                        + " were requested for the completion.", "context_length_exceeded");
            }
            maxNew = context - prompt.length;
        }
        List<Sequence> sequences = new ArrayList<>(job.n());
        for (int choice = 0; choice < job.n(); choice++) {
            var sampling = job.sampling();
            if (sampling.seed() != null && choice > 0) {
                sampling = sampling.withSeed(sampling.seed() + choice); // n choices with one seed must still differ
            }
            Sampler sampler;
            try {
                sampler = new Sampler(sampling);
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid("temperature", e.getMessage());
            }
            sequences.add(new Sequence(job, listener, choice, prompt, maxNew, sampler, vocab,
                    tokenizer.streamingDecoder()));
        }
        synchronized (lock) {
            if (waiting.size() + sequences.size() > options.queueCapacity() + Math.max(0, options.parallel() - running)) {
                throw ApiException.queueFull(waiting.size());
            }
            waiting.addAll(sequences);
            lock.notifyAll();
        }
        return new Submission() {
            @Override
            public int promptTokens() {
                return prompt.length;
            }

            @Override
            public void cancel() {
                synchronized (lock) {
                    for (Sequence s : sequences) {
                        if (!s.cancelled && !s.finished) {
                            s.cancelled = true;
                            if (waiting.remove(s)) {
                                cancelled.incrementAndGet();
                            }
                        }
                    }
                    lock.notifyAll();
                }
            }
        };
    }

    private int[] encode(Prompt prompt) {
        synchronized (encodeLock) { // the chat template engine is not documented as thread-safe
            return switch (prompt) {
                case Prompt.Chat chat -> {
                    if (model.formatter() == null) {
                        throw ApiException.invalid("messages", "The model " + modelId
                                + " has no chat template; use /v1/completions with a raw prompt.");
                    }
                    yield model.chatTokens(new ChatRequest(chat.messages(), null, List.of(), false, ""));
                }
                case Prompt.Text text -> {
                    int[] ids = model.promptTokens(text.text());
                    if (ids.length == 0) {
                        throw ApiException.invalid("prompt", "The prompt is empty.");
                    }
                    yield ids;
                }
                case Prompt.Tokens tokens -> {
                    if (tokens.ids().length == 0) {
                        throw ApiException.invalid("prompt", "The prompt is empty.");
                    }
                    for (int id : tokens.ids()) {
                        if (id < 0 || id >= vocab) {
                            throw ApiException.invalid("prompt", "Token id " + id + " is outside the vocabulary (0.."
                                    + (vocab - 1) + ").");
                        }
                    }
                    yield tokens.ids().clone();
                }
            };
        }
    }

    // ------------------------------------------------------------------------------------------------- scheduler

    private void loop() {
        while (true) {
            try {
                if (!admit()) {
                    return;
                }
                if (!active.isEmpty()) {
                    step();
                }
            } catch (RuntimeException | Error e) {
                // a failed step fails the sequences in it, not the server
                RuntimeException failure = e instanceof RuntimeException re ? re
                        : new IllegalStateException(e.toString(), e);
                for (Sequence s : active) {
                    pool.release(s.cache);
                    if (!s.finished) {
                        s.finished = true;
                        s.listener.onError(s.choice, failure);
                    }
                }
                active.clear();
                running = 0;
                if (e instanceof VirtualMachineError vme && !(e instanceof OutOfMemoryError)) {
                    throw vme;
                }
            }
        }
    }

    /** Drops cancelled sequences, moves waiting ones into free slots; blocks while idle. False once closed. */
    private boolean admit() {
        dropCancelled();
        running = active.size();
        synchronized (lock) {
            while (active.isEmpty() && waiting.isEmpty() && !closed) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    return false;
                }
            }
            if (closed) {
                for (Sequence s : waiting) {
                    s.listener.onError(s.choice, ApiException.unavailable("the server is shutting down"));
                }
                for (Sequence s : active) {
                    s.listener.onError(s.choice, ApiException.unavailable("the server is shutting down"));
                }
                waiting.clear();
                active.clear();
                return false;
            }
            while (active.size() < options.parallel() && !waiting.isEmpty()) {
                Sequence s = waiting.poll();
                try {
                    s.cache = pool.take(s.positionsNeeded());
                } catch (RuntimeException | OutOfMemoryError e) {
                    s.finished = true;
                    s.listener.onError(s.choice, ApiException.unavailable("no memory for the KV cache of "
                            + s.positionsNeeded() + " positions: " + e.getMessage()));
                    continue;
                }
                active.add(s);
            }
            running = active.size();
        }
        return true;
    }

    private void dropCancelled() {
        for (int i = active.size() - 1; i >= 0; i--) {
            Sequence s = active.get(i);
            if (s.cancelled) {
                active.remove(i);
                pool.release(s.cache);
                cancelled.incrementAndGet();
            }
        }
    }

    /** One forward pass over all active sequences, then one sampled token for each that produced logits. */
    private void step() {
        int rows = 0;
        int outputs = 0;
        int decodeRows = 0;
        for (Sequence s : active) {
            if (!s.prefilling()) {
                rowTokens[rows] = s.pending;
                rowPositions[rows] = s.position;
                rowCaches[rows] = s.cache;
                rowWantsLogits[rows] = true;
                logitOwners[outputs++] = s;
                rows++;
                decodeRows++;
            }
        }
        int sequences = decodeRows;
        for (Sequence s : active) {
            if (!s.prefilling() || rows == rowTokens.length) {
                continue;
            }
            int chunk = Math.min(s.prompt.length - s.prefilled, rowTokens.length - rows);
            for (int i = 0; i < chunk; i++) {
                int p = s.prefilled + i;
                rowTokens[rows] = s.prompt[p];
                rowPositions[rows] = p;
                rowCaches[rows] = s.cache;
                rowWantsLogits[rows] = p == s.prompt.length - 1;
                rows++;
            }
            s.prefilled += chunk;
            promptTokens.addAndGet(chunk);
            if (!s.prefilling()) {
                s.position = s.prompt.length;
                logitOwners[outputs++] = s;
            }
            sequences++;
        }
        transformer.forward(rows, rowTokens, rowPositions, rowCaches, rowWantsLogits, logits);
        steps.incrementAndGet();
        batchRows.addAndGet(rows);
        stepObserver.onStep(rows, decodeRows, sequences);
        for (int o = 0; o < outputs; o++) {
            Sequence s = logitOwners[o];
            logitOwners[o] = null;
            if (s.pending >= 0) {
                s.position++; // the fed token is now in the cache
            }
            if (!s.cancelled) {
                next(s, o * vocab);
            }
        }
        for (int i = active.size() - 1; i >= 0; i--) {
            Sequence s = active.get(i);
            if (s.finished) {
                active.remove(i);
                pool.release(s.cache);
            }
        }
        Arrays.fill(rowCaches, 0, rows, null);
        running = active.size();
    }

    /** Samples the next token of {@code s} from its logits row, streams its text, and decides whether it ends. */
    private void next(Sequence s, int rowOffset) {
        System.arraycopy(logits, rowOffset, scratch, 0, vocab);
        s.adjust(scratch);
        int token = s.sampler.sample(scratch, vocab, s.history);
        s.generated++;
        generatedTokens.incrementAndGet();
        if (contains(stopTokens, token)) {
            s.finish(FinishReason.STOP);
            return;
        }
        TokenLogprob logprob = s.job.wantsLogprobs()
                ? Logprobs.of(Arrays.copyOfRange(logits, rowOffset, rowOffset + vocab), vocab, token,
                        s.job.topLogprobs(), this::tokenText)
                : null;
        s.history.add(token);
        if (s.counts != null) {
            s.counts[token]++;
        }
        String shown = s.stops.offer(s.decoder.push(token));
        s.listener.onToken(s.choice, shown, logprob);
        if (s.stops.stopped()) {
            s.finish(FinishReason.STOP);
        } else if (s.generated >= s.maxNew || s.position >= s.cache.capacity()) {
            s.finish(FinishReason.LENGTH);
        } else {
            s.pending = token;
        }
    }

    private String tokenText(int id) {
        return id < tokenizer.vocabSize() ? tokenizer.decode(new int[] {id}) : "";
    }

    private static boolean contains(int[] a, int v) {
        for (int x : a) {
            if (x == v) {
                return true;
            }
        }
        return false;
    }

    // --------------------------------------------------------------------------------------------------- figures

    @Override
    public BackendStats stats() {
        int queued;
        synchronized (lock) {
            queued = waiting.size();
        }
        return new BackendStats(options.parallel(), running, queued, options.queueCapacity(), steps.get(),
                batchRows.get(), promptTokens.get(), generatedTokens.get(), cancelled.get(), pool.allocated());
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        try {
            scheduler.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        model.close();
    }
}
