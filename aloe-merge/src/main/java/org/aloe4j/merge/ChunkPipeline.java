package org.aloe4j.merge;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Computes the chunks of all output tensors in parallel while a single writer consumes them in file order. Every
 * tensor is cut into chunks of {@code chunkElements}; the chunks of all tensors form one sequence in writing order;
 * a fixed pool of work slots (about two per thread) bounds how far computation runs ahead of the writer, so memory
 * stays at a few chunks whatever the model size, and threads work across tensor boundaries (parallel over tensors
 * and within them). Results do not depend on the number of threads: each chunk is a pure function of its inputs.
 *
 * <p>Used from one writer thread: {@link #writeTensor} for each tensor in plan order.
 */
final class ChunkPipeline implements AutoCloseable {

    private record Chunk(int tensor, long start, int count) {}

    /** The memory one in-flight chunk works in; reused. */
    private static final class Slot {
        final float[] values;
        final byte[] bytes;
        final TensorMergeTask.Scratch scratch = new TensorMergeTask.Scratch();
        int length;

        Slot(int chunkElements) {
            values = new float[chunkElements];
            bytes = new byte[chunkElements * 4];
        }
    }

    private final List<MergePlan.PlannedTensor> tensors;
    private final List<Chunk> chunks = new ArrayList<>();
    private final ExecutorService pool;
    private final ArrayDeque<Slot> free = new ArrayDeque<>();
    private final ArrayDeque<Future<Slot>> inFlight = new ArrayDeque<>();
    private final LongConsumer bytesWritten;
    private int nextSubmit;
    private int nextTake;

    /**
     * @param bytesWritten told the size of each chunk once written (progress)
     */
    ChunkPipeline(List<MergePlan.PlannedTensor> tensors, int threads, LongConsumer bytesWritten) {
        this.tensors = List.copyOf(tensors);
        this.bytesWritten = bytesWritten;
        int maxChunk = 1;
        for (int i = 0; i < this.tensors.size(); i++) {
            TensorMergeTask task = this.tensors.get(i).task();
            int chunk = task.chunkElements();
            for (long start = 0; start < task.size(); start += chunk) {
                chunks.add(new Chunk(i, start, (int) Math.min(chunk, task.size() - start)));
            }
            maxChunk = Math.max(maxChunk, (int) Math.min(chunk, Math.max(1, task.size())));
        }
        int n = Math.max(1, threads);
        this.pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "aloe-merge-worker");
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < 2 * n + 1; i++) {
            free.add(new Slot(maxChunk));
        }
    }

    /** Writes tensor {@code index} of the plan (tensors must be written in plan order) as its output bytes. */
    void writeTensor(int index, WritableByteChannel out) throws IOException {
        submitAhead();
        while (nextTake < chunks.size() && chunks.get(nextTake).tensor() == index) {
            Slot slot = take();
            ByteBuffer buf = ByteBuffer.wrap(slot.bytes, 0, slot.length);
            while (buf.hasRemaining()) {
                out.write(buf);
            }
            bytesWritten.accept(slot.length);
            free.add(slot);
            submitAhead();
        }
        if (nextTake < chunks.size() && chunks.get(nextTake).tensor() < index) {
            throw new IllegalStateException("tensor " + index + " written before tensor " + chunks.get(nextTake).tensor());
        }
    }

    private void submitAhead() {
        while (nextSubmit < chunks.size() && !free.isEmpty()) {
            Chunk c = chunks.get(nextSubmit++);
            Slot slot = free.poll();
            MergePlan.PlannedTensor t = tensors.get(c.tensor());
            inFlight.add(pool.submit(() -> {
                t.task().compute(c.start(), c.count(), slot.values, slot.scratch);
                slot.length = ElementCodec.write(slot.values, c.count(), t.dtype(), slot.bytes);
                return slot;
            }));
        }
    }

    private Slot take() throws IOException {
        Future<Slot> f = inFlight.poll();
        if (f == null) {
            throw new IllegalStateException("no chunk in flight");
        }
        nextTake++;
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException(cause);
        }
    }

    /** Stops the workers and waits for them, so that no one reads the inputs after they are closed. */
    @Override
    public void close() {
        inFlight.forEach(f -> f.cancel(true));
        pool.shutdownNow();
        try {
            while (!pool.awaitTermination(1, TimeUnit.MINUTES)) {
                // a worker may be finishing a TIES pre-pass over a large tensor
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
