package org.aloe4j.server;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.aloe4j.generation.ChatRequest;
import org.aloe4j.generation.GenerationResult;
import org.aloe4j.generation.ModelFamily;
import org.aloe4j.generation.TokenSink;
import org.aloe4j.remote.OpenAiCompatibleModel;
import org.aloe4j.remote.RemoteModelException;

/**
 * The same API in front of any OpenAI-compatible server ({@code aloe serve --backend URL}): vLLM serving Aloe
 * 70B/72B across GPUs is the scale-out path. Aloe's system prompt, the card's sampling defaults, the notice and
 * retrieval are applied here as for the local engine; the remote server does the batching. At most
 * {@code parallel} calls are open at once and {@code queueCapacity} wait; a cancelled choice closes its stream,
 * which stops the remote generation.
 *
 * <p>Log-probabilities and OpenAI's frequency/presence penalties are refused ({@link #supportsLogitControls}):
 * {@link OpenAiCompatibleModel} does not carry them.
 */
public final class RemoteBackend implements Backend {
    private final OpenAiCompatibleModel model;
    private final String modelId;
    private final int parallel;
    private final int queueCapacity;
    private final Semaphore slots;
    private final AtomicInteger waiting = new AtomicInteger();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicLong generated = new AtomicLong();
    private final AtomicLong prompt = new AtomicLong();
    private final AtomicLong cancelled = new AtomicLong();
    private final ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor();

    public RemoteBackend(OpenAiCompatibleModel model, String modelId, int parallel, int queueCapacity) {
        if (parallel < 1 || queueCapacity < 0) {
            throw new IllegalArgumentException("need parallel >= 1 and queue >= 0");
        }
        this.model = model;
        this.modelId = modelId != null ? modelId : model.name();
        this.parallel = parallel;
        this.queueCapacity = queueCapacity;
        this.slots = new Semaphore(parallel, true);
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
        return 0;
    }

    @Override
    public boolean supportsLogitControls() {
        return false;
    }

    @Override
    public Submission submit(GenerationJob job, GenerationListener listener) {
        if (job.wantsLogprobs() || job.adjustsLogits()) {
            throw ApiException.unsupported("logprobs", "Log-probabilities, frequency/presence penalties and "
                    + "logit_bias are not available through the remote backend.");
        }
        synchronized (this) {
            int free = Math.max(0, parallel - running.get() - waiting.get());
            if (waiting.get() + job.n() > queueCapacity + free) {
                throw ApiException.queueFull(waiting.get());
            }
            waiting.addAndGet(job.n());
        }
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<?>> futures = new ArrayList<>();
        for (int choice = 0; choice < job.n(); choice++) {
            int c = choice;
            futures.add(calls.submit(() -> call(job, c, listener, stop)));
        }
        return new Submission() {
            @Override
            public int promptTokens() {
                return -1;
            }

            @Override
            public void cancel() {
                if (stop.compareAndSet(false, true)) {
                    cancelled.addAndGet(job.n());
                    futures.forEach(f -> f.cancel(true)); // wakes calls still waiting for a slot
                }
            }
        };
    }

    private void call(GenerationJob job, int choice, GenerationListener listener, AtomicBoolean stop) {
        boolean acquired = false;
        try {
            slots.acquire();
            acquired = true;
        } catch (InterruptedException e) {
            return; // cancelled while waiting
        } finally {
            waiting.decrementAndGet();
        }
        running.incrementAndGet();
        try {
            var sampling = job.sampling();
            if (sampling.seed() != null && choice > 0) {
                sampling = sampling.withSeed(sampling.seed() + choice);
            }
            TokenSink sink = (text, id) -> {
                if (stop.get()) {
                    return false;
                }
                listener.onToken(choice, text, null);
                return true;
            };
            GenerationResult r = switch (job.prompt()) {
                case Prompt.Chat chat -> model.chat(new ChatRequest(chat.messages(), sampling, job.stop(), false, ""), sink);
                case Prompt.Text text -> model.complete(text.text(), sampling, job.stop(), sink);
                case Prompt.Tokens t -> throw ApiException.unsupported("prompt",
                        "Token-id prompts are not available through the remote backend.");
            };
            if (!stop.get()) {
                prompt.addAndGet(r.usage().promptTokens());
                generated.addAndGet(r.usage().completionTokens());
                listener.onFinish(choice, r.finishReason(), r.usage());
            }
        } catch (RemoteModelException e) {
            if (!stop.get()) {
                int status = e.status() == 429 ? 429 : e.status() >= 400 && e.status() < 500 ? 400 : 502;
                listener.onError(choice, new ApiException(status, status == 502 ? "server_error"
                        : "invalid_request_error", "The backend refused or failed: " + e.getMessage(), null,
                        "backend_error"));
            }
        } catch (RuntimeException e) {
            if (!stop.get()) {
                listener.onError(choice, e);
            }
        } finally {
            running.decrementAndGet();
            if (acquired) {
                slots.release();
            }
        }
    }

    @Override
    public BackendStats stats() {
        return new BackendStats(parallel, running.get(), waiting.get(), queueCapacity, 0, 0, prompt.get(),
                generated.get(), cancelled.get(), 0);
    }

    @Override
    public void close() {
        calls.shutdownNow();
        model.close();
    }
}
