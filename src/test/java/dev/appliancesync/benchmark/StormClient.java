package dev.appliancesync.benchmark;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The clients of {@link ReconnectStormBenchmark}, in a JVM of their own (as {@link IdleConnectionsClient}, whose
 * reasons hold here too). Opens {@code connectionsPerToken} graphql-transport-ws connections per token, prints
 * {@value #READY} and the number acknowledged; on a line {@code subscribe} on standard input subscribes every
 * connection to {@code query} at once (a user's connections next to each other, as an app's reconnect), and prints
 * {@value #SUBSCRIBED}, the number whose first item arrived as data, the number refused (an error or a close), and the
 * milliseconds from the first subscribe sent to the last first item received; then holds the connections until a line
 * {@code close}, and prints {@value #OPEN} and how many the server had left open.
 * <p>
 * Arguments: {@code <graphql url> <tokens file, one per line> <connections per token> <subscription query>}
 */
public final class StormClient {

    static final String READY = "READY";
    static final String SUBSCRIBED = "SUBSCRIBED";
    static final String OPEN = "OPEN";
    /** Handshakes at once while connecting, which this benchmark does not measure (the subscribes are the storm). */
    private static final int HANDSHAKES_AT_ONCE = 32;
    private static final long BOUND_SECONDS = 300;

    private StormClient() {
    }

    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0]);
        List<String> tokens = Files.readAllLines(Path.of(args[1]));
        int perToken = Integer.parseInt(args[2]);
        String query = args[3];
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (GraphQLClients clients = new GraphQLClients(uri, tokens.size() * perToken + 16)) {
            Semaphore handshakes = new Semaphore(HANDSHAKES_AT_ONCE);
            List<CompletableFuture<GraphQLClients.Connection>> opening = new ArrayList<>();
            for (String token : tokens) {
                for (int i = 0; i < perToken; i++) {
                    if (!handshakes.tryAcquire(60, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("no handshake finished within 60 s");
                    }
                    CompletableFuture<GraphQLClients.Connection> connection = clients.connect(token);
                    connection.whenComplete((ws, failure) -> handshakes.release());
                    opening.add(connection);
                }
            }
            List<GraphQLClients.Connection> open = GraphQLClients.opened(opening);
            System.out.println(READY + " " + open.size());
            System.out.flush();
            awaitLine(in, "subscribe");

            CountDownLatch firsts = new CountDownLatch(open.size());
            AtomicInteger data = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            AtomicLong last = new AtomicLong();
            long started = System.nanoTime();
            for (GraphQLClients.Connection ws : open) {
                AtomicInteger seen = new AtomicInteger();
                ws.handler = (nanos, message) -> {
                    if (seen.getAndIncrement() > 0) {
                        return;
                    }
                    boolean ok = "next".equals(message.getString("type"))
                            && message.getJsonObject("payload").getValue("errors") == null;
                    if (ok) {
                        data.incrementAndGet();
                    } else {
                        refused.incrementAndGet();
                        if (refused.get() <= 5) {
                            System.out.println("REFUSED " + message.encode());
                        }
                    }
                    last.accumulateAndGet(nanos, Math::max);
                    firsts.countDown();
                };
                ws.subscribe("s", query, null);
            }
            boolean all = firsts.await(BOUND_SECONDS, TimeUnit.SECONDS);
            long lastNanos = all ? last.get() : System.nanoTime();
            System.out.println(SUBSCRIBED + " " + data.get() + " " + refused.get() + " "
                    + (lastNanos - started) / 1_000_000);
            System.out.flush();

            awaitLine(in, "close");
            long stillOpen = open.stream().filter(ws -> ws.problems.isEmpty()).count();
            System.out.println(OPEN + " " + stillOpen);
            System.out.flush();
            open.forEach(GraphQLClients.Connection::close);
        }
    }

    private static void awaitLine(BufferedReader in, String expected) throws Exception {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.equals(expected)) {
                return;
            }
        }
        throw new IllegalStateException("standard input ended before " + expected);
    }
}
