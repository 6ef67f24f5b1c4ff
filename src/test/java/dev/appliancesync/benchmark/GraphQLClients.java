package dev.appliancesync.benchmark;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

/**
 * A lean graphql-transport-ws client for benchmarks: many connections on one Vert.x instance and one
 * {@link WebSocketClient} (the support client starts a Vert.x per connection), receipt time taken with
 * {@link System#nanoTime()} on the connection's event loop.
 */
public final class GraphQLClients implements AutoCloseable {

    private static final Duration BOUND = Duration.ofSeconds(10);

    private final Vertx vertx = Vertx.vertx();
    private final WebSocketClient client;
    private final URI uri;

    public GraphQLClients(URI graphql, int maxConnections) {
        this.uri = graphql;
        this.client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(maxConnections));
    }

    /**
     * The connections of {@code opening} that opened within 60 s each; each one that did not is printed as a FAILED
     * line.
     */
    public static List<Connection> opened(List<CompletableFuture<Connection>> opening) {
        List<Connection> open = new ArrayList<>();
        for (CompletableFuture<Connection> connection : opening) {
            try {
                open.add(connection.get(60, TimeUnit.SECONDS));
            } catch (Exception e) {
                System.out.println("FAILED " + e);
            }
        }
        return open;
    }

    /** Upgrade with the token in the Authorization header, connection_init without payload, connection_ack. */
    public CompletableFuture<Connection> connect(String token) {
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(uri.getHost())
                .setPort(uri.getPort()).setURI(uri.getPath()).addSubProtocol("graphql-transport-ws")
                .addHeader("Authorization", "Bearer " + token);
        CompletableFuture<Connection> acknowledged = new CompletableFuture<>();
        client.connect(options).onComplete(connected -> {
            if (connected.failed()) {
                acknowledged.completeExceptionally(connected.cause());
                return;
            }
            Connection connection = new Connection(connected.result(), acknowledged);
            connection.send(new JsonObject().put("type", "connection_init"));
        });
        return acknowledged.orTimeout(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }

    public record Received(long nanos, JsonObject message) {
    }

    public interface Handler {
        void on(long nanos, JsonObject message);
    }

    public static final class Connection {
        private final WebSocket socket;
        private final BlockingQueue<Received> queue = new LinkedBlockingQueue<>();
        public final Queue<String> problems = new ConcurrentLinkedQueue<>();
        /** Where messages after connection_ack go; by default, into a queue read with {@link #nextReceived}. */
        public volatile Handler handler = (nanos, message) -> queue.add(new Received(nanos, message));
        private volatile boolean closing;

        Connection(WebSocket socket, CompletableFuture<Connection> acknowledged) {
            this.socket = socket;
            socket.textMessageHandler(text -> {
                long nanos = System.nanoTime();
                JsonObject message = new JsonObject(text);
                switch (message.getString("type", "")) {
                    case "connection_ack" -> acknowledged.complete(this);
                    case "ping" -> send(new JsonObject().put("type", "pong"));
                    case "pong", "ka" -> {
                    }
                    default -> handler.on(nanos, message);
                }
            });
            socket.closeHandler(ignored -> {
                if (!acknowledged.isDone()) {
                    acknowledged.completeExceptionally(new IllegalStateException(
                            "closed before connection_ack: " + socket.closeStatusCode() + " " + socket.closeReason()));
                } else if (!closing) {
                    problems.add("closed by the server: " + socket.closeStatusCode() + " " + socket.closeReason());
                    handler.on(System.nanoTime(), new JsonObject().put("type", "closed")
                            .put("code", socket.closeStatusCode()).put("reason", socket.closeReason()));
                }
            });
        }

        public void send(JsonObject message) {
            socket.writeTextMessage(message.encode());
        }

        public void subscribe(String id, String query, JsonObject variables) {
            JsonObject payload = new JsonObject().put("query", query);
            if (variables != null) {
                payload.put("variables", variables);
            }
            send(new JsonObject().put("id", id).put("type", "subscribe").put("payload", payload));
        }

        public Received nextReceived(String id) throws InterruptedException {
            Received received = queue.poll(BOUND.toMillis(), TimeUnit.MILLISECONDS);
            if (received == null) {
                throw new AssertionError("No message for operation " + id + " within " + BOUND);
            }
            if (!id.equals(received.message().getString("id"))) {
                throw new AssertionError("Expected a message for operation " + id + ", got " + received.message());
            }
            return received;
        }

        public JsonObject next(String id) throws InterruptedException {
            return nextReceived(id).message();
        }

        public void close() {
            closing = true;
            if (!socket.isClosed()) {
                socket.close();
            }
        }
    }
}
