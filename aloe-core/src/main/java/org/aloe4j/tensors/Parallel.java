package org.aloe4j.tensors;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The shared worker pool of the kernels: {@link #forRange} splits an index range into one contiguous chunk per thread
 * and runs them at once, the calling thread taking the first chunk.
 *
 * <p>Sized to the cores by default; {@code -Daloe.threads=N} or {@link #setThreads} change it. A call allocates
 * nothing (beyond what the caller's lambda captures): the job is handed to parked workers through fields and a
 * generation counter. Workers spin briefly before parking, because a forward pass issues many short jobs back to back.
 * A call made from inside a job (nested) runs inline on its thread. Calls from several threads at once are served
 * one after the other.
 */
public final class Parallel {
    private Parallel() {}

    /** How long a worker keeps polling for the next job before it parks. */
    private static final long SPIN_NANOS = 100_000;

    private static volatile Pool pool = new Pool(defaultThreads());

    /** Threads that share a {@link #forRange} call (the caller included). */
    public static int threads() {
        return pool.threads;
    }

    /** Resizes the pool; waits for a call in progress to finish. */
    public static synchronized void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, not " + threads);
        }
        Pool old = pool;
        if (old.threads == threads) {
            return;
        }
        pool = new Pool(threads);
        old.close();
    }

    /**
     * Runs {@code body} over {@code [start, end)} split into at most {@link #threads()} contiguous chunks, in parallel,
     * and returns when all are done. An exception thrown by a chunk is rethrown here (after every chunk finished).
     */
    public static void forRange(int start, int end, IntRangeBody body) {
        if (start > end) {
            throw new IllegalArgumentException("range [" + start + ", " + end + ") is reversed");
        }
        if (start == end) {
            return;
        }
        while (!pool.run(start, end, body)) {
            Thread.onSpinWait(); // the pool was replaced by setThreads while we waited for it: use the new one
        }
    }

    private static int defaultThreads() {
        String property = System.getProperty("aloe.threads");
        if (property != null && !property.isBlank()) {
            int n = Integer.parseInt(property.trim());
            if (n < 1) {
                throw new IllegalArgumentException("aloe.threads must be at least 1, not " + n);
            }
            return n;
        }
        return Runtime.getRuntime().availableProcessors();
    }

    private static final class Pool {
        final int threads;
        final Worker[] workers;
        final ReentrantLock lock = new ReentrantLock();
        volatile boolean closed;

        // the current job: written by the caller before it bumps a worker's generation (a volatile write)
        IntRangeBody body;
        int start;
        long length;
        int chunks;
        volatile Thread caller;
        final AtomicInteger pending = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        Pool(int threads) {
            this.threads = threads;
            this.workers = new Worker[threads - 1];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Worker(this, i + 1);
                workers[i].start();
            }
        }

        int chunkStart(int chunk) {
            return start + (int) (length * chunk / chunks);
        }

        /** Runs the job; false when this pool was closed before it could (the caller retries on the new pool). */
        boolean run(int start, int end, IntRangeBody body) {
            long length = (long) end - start;
            Thread me = Thread.currentThread();
            if (workers.length == 0 || length < 2 || me instanceof Worker || lock.isHeldByCurrentThread()) {
                body.run(start, end);
                return true;
            }
            lock.lock();
            try {
                if (closed) {
                    return false;
                }
                int chunks = (int) Math.min(threads, length);
                this.body = body;
                this.start = start;
                this.length = length;
                this.chunks = chunks;
                this.caller = me;
                pending.set(chunks - 1);
                for (int i = 1; i < chunks; i++) {
                    workers[i - 1].release();
                }
                Throwable own = null;
                try {
                    body.run(start, chunkStart(1));
                } catch (Throwable t) {
                    own = t;
                }
                awaitWorkers();
                this.body = null;
                Throwable theirs = failure.getAndSet(null);
                if (own != null) {
                    if (theirs != null && theirs != own) {
                        own.addSuppressed(theirs);
                    }
                    throw sneaky(own);
                }
                if (theirs != null) {
                    throw sneaky(theirs);
                }
                return true;
            } finally {
                lock.unlock();
            }
        }

        private void awaitWorkers() {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            int spins = 0;
            while (pending.get() != 0) {
                if ((++spins & 63) != 0 || System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
        }

        void close() {
            lock.lock();
            try {
                closed = true;
                for (Worker w : workers) {
                    w.release();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private static final class Worker extends Thread {
        private final Pool pool;
        private final int chunk;
        private volatile int generation;
        private int seen;

        Worker(Pool pool, int chunk) {
            super("aloe-worker-" + chunk);
            this.pool = pool;
            this.chunk = chunk;
            setDaemon(true);
        }

        void release() {
            generation++; // only the lock holder writes it
            LockSupport.unpark(this);
        }

        @Override
        public void run() {
            while (true) {
                awaitJob();
                if (pool.closed) {
                    return;
                }
                Pool p = pool;
                Thread caller = p.caller;
                try {
                    p.body.run(p.chunkStart(chunk), p.chunkStart(chunk + 1));
                } catch (Throwable t) {
                    p.failure.compareAndSet(null, t);
                }
                if (p.pending.decrementAndGet() == 0) {
                    LockSupport.unpark(caller);
                }
            }
        }

        private void awaitJob() {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            int spins = 0;
            int g;
            while ((g = generation) == seen) {
                if ((++spins & 63) != 0 || System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            seen = g;
        }
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> RuntimeException sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
