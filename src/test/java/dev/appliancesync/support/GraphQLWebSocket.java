package dev.appliancesync.support;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;

/**
 * A GraphQL-over-WebSocket client speaking either subprotocol, with a real WebSocket. Every wait is bounded:
 * a message or close that does not come in time fails the test.
 */
public final class GraphQLWebSocket implements AutoCloseable {

    public enum Protocol {
        /** The graphql-ws library's protocol (connection_init, subscribe, next, error, complete). */
        GRAPHQL_TRANSPORT_WS("graphql-transport-ws", "subscribe"),
        /** The legacy subscriptions-transport-ws protocol (connection_init, start, data, error, complete). */
        GRAPHQL_WS("graphql-ws", "start");

        final String subprotocol;
        final String subscribeType;

        Protocol(String subprotocol, String subscribeType) {
            this.subprotocol = subprotocol;
            this.subscribeType = subscribeType;
        }
    }

    public static final Duration WAIT = Duration.ofSeconds(10);

    private final Vertx vertx;
    /** Closed with the connection unless it was lent (see {@link #connected(URI, String, Vertx)}). */
    private final boolean ownsVertx;
    private final WebSocketClient client;
    private final WebSocket socket;
    private final Protocol protocol;
    private final BlockingQueue<JsonObject> messages = new LinkedBlockingQueue<>();
    /** The same messages by operation id, for tests that follow several subscriptions on one connection. */
    private final Map<String, BlockingQueue<JsonObject>> byOperation = new java.util.concurrent.ConcurrentHashMap<>();
    /** The same messages as sent, by operation id, for tests that compare bytes. */
    private final Map<String, BlockingQueue<String>> textsByOperation = new java.util.concurrent.ConcurrentHashMap<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private volatile String closeReason;

    private GraphQLWebSocket(Vertx vertx, boolean ownsVertx, WebSocketClient client, WebSocket socket,
            Protocol protocol) {
        this.vertx = vertx;
        this.ownsVertx = ownsVertx;
        this.client = client;
        this.socket = socket;
        this.protocol = protocol;
        socket.textMessageHandler(text -> {
            JsonObject message = new JsonObject(text);
            messages.add(message);
            if (message.getValue("id") instanceof String id) {
                byOperation.computeIfAbsent(id, key -> new LinkedBlockingQueue<>()).add(message);
                textsByOperation.computeIfAbsent(id, key -> new LinkedBlockingQueue<>()).add(text);
            }
        });
        socket.closeHandler(ignored -> {
            closeReason = socket.closeReason();
            closed.complete(socket.closeStatusCode() == null ? -1 : (int) socket.closeStatusCode());
        });
    }

    /** Opens the connection; {@code bearerToken} (nullable) goes into the upgrade request's Authorization header. */
    public static GraphQLWebSocket open(URI graphqlUri, Protocol protocol, String bearerToken) throws Exception {
        return open(graphqlUri, protocol, bearerToken, new WebSocketClientOptions());
    }

    /** As above, with client options (e.g. a tiny receive buffer, for a client that cannot keep up). */
    public static GraphQLWebSocket open(URI graphqlUri, Protocol protocol, String bearerToken,
            WebSocketClientOptions clientOptions) throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            return open(vertx, true, graphqlUri, protocol, bearerToken, clientOptions);
        } catch (Exception e) {
            vertx.close();
            throw e;
        }
    }

    private static GraphQLWebSocket open(Vertx vertx, boolean ownsVertx, URI graphqlUri, Protocol protocol,
            String bearerToken, WebSocketClientOptions clientOptions) throws Exception {
        WebSocketClient client = vertx.createWebSocketClient(clientOptions);
        WebSocketConnectOptions options = new WebSocketConnectOptions()
                .setHost(graphqlUri.getHost()).setPort(graphqlUri.getPort()).setURI(graphqlUri.getPath())
                .addSubProtocol(protocol.subprotocol);
        if (bearerToken != null) {
            options.addHeader("Authorization", "Bearer " + bearerToken);
        }
        // Built on the event loop as the upgrade completes, so the handlers are in place before the socket's first
        // frame is handled: a server that closes at once (1013) would otherwise close it before they are set, and
        // Vert.x refuses handlers on a closed socket.
        return client.connect(options)
                .map(socket -> new GraphQLWebSocket(vertx, ownsVertx, client, socket, protocol))
                .toCompletionStage().toCompletableFuture()
                .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void send(JsonObject message) {
        socket.writeTextMessage(message.encode());
    }

    /** Sends any text as one message (in frames of the client's frame size, as every client does). */
    public void sendText(String text) {
        socket.writeTextMessage(text);
    }

    /** Sends a text message as a single frame, however large. */
    public void sendSingleFrame(String text) {
        socket.writeFrame(WebSocketFrame.textFrame(text, true));
    }

    /** Sends a text message in {@code pieces} frames of about the same size (a text frame, then continuations). */
    public void sendFragmented(String text, int pieces) {
        int size = (text.length() + pieces - 1) / pieces;
        for (int start = 0; start < text.length(); start += size) {
            String piece = text.substring(start, Math.min(text.length(), start + size));
            boolean last = start + size >= text.length();
            socket.writeFrame(start == 0 ? WebSocketFrame.textFrame(piece, last)
                    : WebSocketFrame.continuationFrame(Buffer.buffer(piece), last));
        }
    }

    public void sendBinary(byte[] data) {
        socket.writeBinaryMessage(Buffer.buffer(data));
    }

    /** Sends connection_init (with the payload, if any) and returns the server's first answer. */
    public JsonObject init(Map<String, Object> payload) throws InterruptedException {
        JsonObject init = new JsonObject().put("type", "connection_init");
        if (payload != null) {
            init.put("payload", new JsonObject(payload));
        }
        send(init);
        return nextMessage();
    }

    public void subscribe(String id, String query) {
        send(new JsonObject().put("id", id).put("type", protocol.subscribeType)
                .put("payload", new JsonObject().put("query", query)));
    }

    public void subscribe(String id, String query, Map<String, Object> variables) {
        send(new JsonObject().put("id", id).put("type", protocol.subscribeType)
                .put("payload", new JsonObject().put("query", query).put("variables", new JsonObject(variables))));
    }

    /** Opens a connection with the token in the upgrade header and initialises it. */
    public static GraphQLWebSocket connected(URI graphqlUri, String bearerToken) throws Exception {
        return initialised(open(graphqlUri, Protocol.GRAPHQL_TRANSPORT_WS, bearerToken));
    }

    /**
     * The same on a Vert.x instance the caller keeps (and closes), for tests that open many connections one after the
     * other: a Vert.x instance each would cost more than the connection.
     */
    public static GraphQLWebSocket connected(URI graphqlUri, String bearerToken, Vertx shared) throws Exception {
        return initialised(open(shared, false, graphqlUri, Protocol.GRAPHQL_TRANSPORT_WS, bearerToken,
                new WebSocketClientOptions()));
    }

    private static GraphQLWebSocket initialised(GraphQLWebSocket ws) throws Exception {
        JsonObject ack = ws.init(null);
        if (!"connection_ack".equals(ack.getString("type"))) {
            ws.close();
            throw new AssertionError("Expected connection_ack, got " + ack);
        }
        return ws;
    }

    /** The next message of operation {@code id} (use either this or {@link #nextMessage()} in one test). */
    public JsonObject nextMessage(String id) throws InterruptedException {
        JsonObject message = byOperation.computeIfAbsent(id, key -> new LinkedBlockingQueue<>())
                .poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (message == null) {
            throw new AssertionError("No message for operation " + id + " within " + WAIT);
        }
        return message;
    }

    /**
     * The next message of operation {@code id} exactly as it was sent (use either this or the other readers of one
     * operation's messages in one test).
     */
    public String nextText(String id) throws InterruptedException {
        String text = textsByOperation.computeIfAbsent(id, key -> new LinkedBlockingQueue<>())
                .poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (text == null) {
            throw new AssertionError("No message for operation " + id + " within " + WAIT);
        }
        return text;
    }

    /** The next message of operation {@code id} if one comes within {@code wait}. */
    public java.util.Optional<JsonObject> pollMessage(String id, Duration wait) throws InterruptedException {
        return java.util.Optional.ofNullable(byOperation.computeIfAbsent(id, key -> new LinkedBlockingQueue<>())
                .poll(wait.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** The payload's data of the next message of operation {@code id}, which must be data without errors. */
    public JsonObject nextData(String id) throws InterruptedException {
        JsonObject message = nextMessage(id);
        if (!(message.getString("type").equals("next")
                || message.getString("type").equals("data"))
                || message.getJsonObject("payload").getValue("errors") != null) {
            throw new AssertionError("Expected data for operation " + id + ", got " + message);
        }
        return message.getJsonObject("payload").getJsonObject("data");
    }

    /** Stops reading from the socket, as a client too slow to keep up would. */
    public void stopReading() {
        socket.pause();
    }

    public void resumeReading() {
        socket.resume();
    }

    /** How many messages of operation {@code id} arrived and were not taken yet. */
    public int received(String id) {
        BlockingQueue<JsonObject> queue = byOperation.get(id);
        return queue == null ? 0 : queue.size();
    }

    /** The next message other than keep-alives, or fails after {@link #WAIT}. */
    public JsonObject nextMessage() throws InterruptedException {
        return nextMessage(WAIT);
    }

    /** The next message other than keep-alives, or fails after {@code wait}. */
    public JsonObject nextMessage(Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            JsonObject message = messages.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (message == null) {
                throw new AssertionError("No message within " + wait);
            }
            String type = message.getString("type");
            if (!"ka".equals(type) && !"ping".equals(type) && !"pong".equals(type)) {
                return message;
            }
        }
    }

    /**
     * Sends a graphql-transport-ws ping and waits for the pong: true once it comes, false if the connection closes
     * first; fails after {@link #WAIT} if neither happens. Other messages waiting are skipped.
     */
    public boolean ping() throws InterruptedException {
        send(new JsonObject().put("type", "ping"));
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            JsonObject message = messages.poll(50, TimeUnit.MILLISECONDS);
            if (message != null && "pong".equals(message.getString("type"))) {
                return true;
            }
            if (message == null && closed.isDone()) {
                return false;
            }
        }
        throw new AssertionError("Neither a pong nor a close within " + WAIT);
    }

    /** Completes with the close code when the connection closes. */
    public CompletableFuture<Integer> closed() {
        return closed;
    }

    /** The reason the server closed with (once {@link #closed()} completed). */
    public String closeReason() {
        return closeReason;
    }

    /** The close code the server closed with, waiting at most {@code wait}. */
    public int awaitClose(Duration wait) throws Exception {
        return closed.get(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        if (!socket.isClosed()) {
            socket.close();
        }
        if (ownsVertx) {
            vertx.close();
        } else {
            client.close();
        }
    }
}
