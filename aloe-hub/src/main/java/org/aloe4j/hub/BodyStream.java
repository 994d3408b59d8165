package org.aloe4j.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A response body as an InputStream that hands out every byte received before a connection failure, then the
 * failure. The JDK's {@code BodyHandlers.ofInputStream()} throws as soon as the failure is signalled and drops the
 * buffers still queued, so a resumed download would fetch those bytes twice. Flow control: one buffer list is
 * requested at a time.
 */
final class BodyStream extends InputStream implements HttpResponse.BodySubscriber<InputStream> {

    private record Failure(Throwable cause) {
    }

    private static final Object END = new Object();
    private static final Object CLOSED = new Object();

    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private volatile Flow.Subscription subscription;
    private volatile boolean closed;
    private Iterator<ByteBuffer> list;
    private ByteBuffer current;
    private boolean ended;

    static HttpResponse.BodyHandler<InputStream> handler() {
        return info -> new BodyStream();
    }

    @Override
    public CompletionStage<InputStream> getBody() {
        return CompletableFuture.completedFuture(this);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (closed) {
            s.cancel();
        } else {
            s.request(1);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        queue.add(item);
    }

    @Override
    public void onError(Throwable throwable) {
        queue.add(new Failure(throwable));
    }

    @Override
    public void onComplete() {
        queue.add(END);
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (current == null || !current.hasRemaining()) {
            if (list != null && list.hasNext()) {
                current = list.next();
                continue;
            }
            if (ended) {
                return -1;
            }
            if (closed) {
                throw new IOException("closed");
            }
            Object item;
            try {
                item = queue.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading the response");
            }
            if (item == END) {
                ended = true;
                return -1;
            }
            if (item == CLOSED) {
                throw new IOException("closed");
            }
            if (item instanceof Failure f) {
                ended = true;
                Throwable c = f.cause();
                throw c instanceof IOException io ? io : new IOException(c.getMessage(), c);
            }
            @SuppressWarnings("unchecked")
            List<ByteBuffer> buffers = (List<ByteBuffer>) item;
            list = buffers.iterator();
            current = null;
            Flow.Subscription s = subscription;
            if (s != null) {
                s.request(1);
            }
        }
        int n = Math.min(len, current.remaining());
        current.get(b, off, n);
        return n;
    }

    /** Closes the stream; may be called from another thread to wake a blocked reader (stall watchdog). */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Flow.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
            queue.add(CLOSED);
        }
    }
}
