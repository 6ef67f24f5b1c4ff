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
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The clients of {@link IdleConnectionsBenchmark}, in a JVM of their own (10,000 connections with both ends in one
 * process would need more file descriptors than these machines allow, and their memory must not count as the
 * server's). Opens {@code connectionsPerToken} graphql-transport-ws connections per token, subscribes each to
 * {@code query} if one is given, prints {@value #READY} and the number acknowledged, holds them until a line
 * {@code close} arrives on standard input, then prints {@value #OPEN} and how many the server had left open.
 * <p>
 * Arguments: {@code <graphql url> <tokens file, one per line> <connections per token> [subscription query]}
 */
public final class IdleConnectionsClient {

    static final String READY = "READY";
    static final String OPEN = "OPEN";
    private static final int HANDSHAKES_AT_ONCE = 32;

    private IdleConnectionsClient() {
    }

    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0]);
        List<String> tokens = Files.readAllLines(Path.of(args[1]));
        int perToken = Integer.parseInt(args[2]);
        String query = args.length > 3 ? args[3] : null;
        try (GraphQLClients clients = new GraphQLClients(uri, tokens.size() * perToken + 16)) {
            Semaphore handshakes = new Semaphore(HANDSHAKES_AT_ONCE);
            List<CompletableFuture<GraphQLClients.Connection>> opening = new ArrayList<>();
            // User by user in turn, as many apps would reconnect: each user's first connection reads their access
            // and the others find it in place (ten of one user at once would each read it).
            for (int i = 0; i < perToken; i++) {
                for (String token : tokens) {
                    if (!handshakes.tryAcquire(60, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("no handshake finished within 60 s");
                    }
                    CompletableFuture<GraphQLClients.Connection> connection = clients.connect(token).thenApply(ws -> {
                        if (query != null) {
                            ws.subscribe("s", query, null);
                        }
                        return ws;
                    });
                    connection.whenComplete((ws, failure) -> handshakes.release());
                    opening.add(connection);
                }
            }
            List<GraphQLClients.Connection> open = GraphQLClients.opened(opening);
            System.out.println(READY + " " + open.size());
            System.out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null && !line.equals("close"); line = in.readLine()) {
                // anything else: keep holding
            }
            long stillOpen = open.stream().filter(ws -> ws.problems.isEmpty()).count();
            System.out.println(OPEN + " " + stillOpen);
            System.out.flush();
            open.forEach(GraphQLClients.Connection::close);
        }
    }
}
