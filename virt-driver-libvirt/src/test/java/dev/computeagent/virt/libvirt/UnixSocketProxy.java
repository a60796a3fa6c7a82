package dev.computeagent.virt.libvirt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A unix-socket proxy in front of libvirtd's socket: a libvirtd that can be made unreachable
 * ({@link #stop()}: listening socket and every connection closed) and reachable again
 * ({@link #start()}) without touching the real daemon other tests share.
 */
public final class UnixSocketProxy implements AutoCloseable {

    private final Path listen;
    private final Path target;
    private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
    private final Object gate = new Object();
    private boolean frozen;
    private ServerSocketChannel server;

    public UnixSocketProxy(Path listen, Path target) {
        this.listen = listen;
        this.target = target;
    }

    public synchronized void start() {
        try {
            Files.deleteIfExists(listen);
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(listen));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ServerSocketChannel accepting = server;
        daemon("proxy-accept", () -> {
            while (accepting.isOpen()) {
                try {
                    SocketChannel client = accepting.accept();
                    SocketChannel upstream = SocketChannel.open(UnixDomainSocketAddress.of(target));
                    open.add(client);
                    open.add(upstream);
                    daemon("proxy-up", () -> pump(client, upstream));
                    daemon("proxy-down", () -> pump(upstream, client));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    /**
     * Stops forwarding on the connections open now while keeping them open: a libvirtd that hangs
     * (only keepalive can notice). New connections are forwarded again after {@link #thaw()}.
     */
    void freeze() {
        synchronized (gate) {
            frozen = true;
        }
    }

    void thaw() {
        synchronized (gate) {
            frozen = false;
            gate.notifyAll();
        }
    }

    /** Stops listening and drops every proxied connection: libvirtd is "gone". */
    public synchronized void stop() {
        try {
            if (server != null) {
                server.close();
            }
            for (SocketChannel channel : open) {
                channel.close();
            }
            open.clear();
            Files.deleteIfExists(listen);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        stop();
    }

    private void pump(SocketChannel from, SocketChannel to) {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        try {
            while (from.read(buffer) >= 0) {
                awaitThawed();
                buffer.flip();
                while (buffer.hasRemaining()) {
                    to.write(buffer);
                }
                buffer.clear();
            }
        } catch (IOException e) {
            // one side closed
        } finally {
            try {
                from.close();
                to.close();
            } catch (IOException e) {
                // already closed
            }
        }
    }

    private void awaitThawed() throws IOException {
        synchronized (gate) {
            while (frozen) {
                try {
                    gate.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
        }
    }

    private static void daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }
}
