package dev.computeagent.image.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A response body as an {@link InputStream} that fails when no bytes arrive for the stall timeout.
 * The JDK's own body stream blocks forever on a silent server; this one polls with a deadline and
 * cancels the exchange when it expires.
 */
final class StallGuardedInputStream extends InputStream implements HttpResponse.BodySubscriber<InputStream> {

    private static final Object COMPLETE = new Object();

    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final long stallNanos;
    private volatile Flow.Subscription subscription;
    private Iterator<ByteBuffer> buffers = List.<ByteBuffer>of().iterator();
    private @Nullable ByteBuffer current;
    private boolean done;

    StallGuardedInputStream(Duration stallTimeout) {
        this.stallNanos = stallTimeout.toNanos();
    }

    /** Available as soon as the headers are: the caller reads while the bytes arrive. */
    @Override
    public CompletionStage<InputStream> getBody() {
        return CompletableFuture.completedStage(this);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        this.subscription = s;
        s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        queue.add(item);
    }

    @Override
    public void onError(Throwable throwable) {
        queue.add(throwable);
    }

    @Override
    public void onComplete() {
        queue.add(COMPLETE);
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
            if (buffers.hasNext()) {
                current = buffers.next();
                continue;
            }
            if (done) {
                return -1;
            }
            nextItem();
        }
        int n = Math.min(len, current.remaining());
        current.get(b, off, n);
        return n;
    }

    @SuppressWarnings("unchecked")
    private void nextItem() throws IOException {
        Object item;
        try {
            item = queue.poll(stallNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new InterruptedIOException("interrupted while downloading");
        }
        if (item == null) {
            close();
            throw new HttpTimeoutException("no bytes received for " + Duration.ofNanos(stallNanos));
        }
        if (item == COMPLETE) {
            done = true;
        } else if (item instanceof Throwable t) {
            done = true;
            throw t instanceof IOException io ? io : new IOException(t.getMessage(), t);
        } else {
            buffers = ((List<ByteBuffer>) item).iterator();
            subscription.request(1);
        }
    }

    @Override
    public void close() {
        Flow.Subscription s = subscription;
        if (s != null && !done) {
            done = true;
            s.cancel();
        }
    }
}
