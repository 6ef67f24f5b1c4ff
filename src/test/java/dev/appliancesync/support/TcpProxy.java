package dev.appliancesync.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP forwarder on a loopback port, to make a server unreachable and reachable again without stopping it: {@link #cut()}
 * closes every forwarded connection (the client sees them closed under it) and stops listening (new connections are
 * refused), {@link #restore()} listens again on the same port.
 */
public final class TcpProxy implements AutoCloseable {

    /** IPv4 on both sides: the embedded PostgreSQL listens on 127.0.0.1 and ::1, and URLs name 127.0.0.1. */
    public static final String HOST = "127.0.0.1";
    private static final InetAddress LOOPBACK = loopback();

    private final int targetPort;
    private final int port;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket listening;

    private TcpProxy(int targetPort) {
        this.targetPort = targetPort;
        this.port = listen(0);
    }

    /** Forwards a free loopback port to {@code localhost:targetPort}. */
    public static TcpProxy to(int targetPort) {
        return new TcpProxy(targetPort);
    }

    public int port() {
        return port;
    }

    /** Closes every forwarded connection and refuses new ones. */
    public synchronized void cut() {
        closeQuietly(listening);
        listening = null;
        open.forEach(TcpProxy::closeQuietly);
        open.clear();
    }

    /** Accepts connections again, on the same port. */
    public synchronized void restore() {
        if (listening == null) {
            listen(port);
        }
    }

    @Override
    public void close() {
        cut();
    }

    private int listen(int onPort) {
        try {
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(LOOPBACK, onPort));
            listening = server;
            Thread.ofVirtual().name("tcp-proxy-accept-" + server.getLocalPort()).start(() -> accept(server));
            return server.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not listen on port " + onPort, e);
        }
    }

    private void accept(ServerSocket server) {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(LOOPBACK, targetPort);
                open.add(client);
                open.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                // closed by cut(), or the target refused: the client's connection ends
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread.ofVirtual().start(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int read; (read = in.read(buffer)) >= 0;) {
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        });
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByName(HOST);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
