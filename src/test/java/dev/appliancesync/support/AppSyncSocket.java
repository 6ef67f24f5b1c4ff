package dev.appliancesync.support;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

/**
 * A raw AppSync realtime client, speaking the protocol as AWS Amplify does. Every wait is bounded: a message or close
 * that does not come in time fails the test.
 */
public final class AppSyncSocket implements AutoCloseable {

    public static final Duration WAIT = Duration.ofSeconds(10);

    /** Where the handshake's headers travel. */
    public enum Handshake {
        /** Amplify v6: a {@code header-<base64url JSON>} subprotocol next to graphql-ws. */
        SUBPROTOCOL,
        /** Older clients: {@code ?header=<base64 JSON>&payload=e30=}. */
        QUERY_STRING
    }

    private final Vertx vertx;
    private final WebSocket socket;
    private final BlockingQueue<JsonObject> keepAlives = new LinkedBlockingQueue<>();
    private final BlockingQueue<JsonObject> connectionMessages = new LinkedBlockingQueue<>();
    private final Map<String, BlockingQueue<JsonObject>> byOperation = new ConcurrentHashMap<>();
    private final Map<String, BlockingQueue<String>> textsByOperation = new ConcurrentHashMap<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();

    private AppSyncSocket(Vertx vertx, WebSocket socket) {
        this.vertx = vertx;
        this.socket = socket;
        socket.textMessageHandler(text -> {
            JsonObject message = new JsonObject(text);
            if ("ka".equals(message.getString("type"))) {
                keepAlives.add(message);
            } else if (message.getValue("id") instanceof String id) {
                queueOf(id).add(message);
                textsByOperation.computeIfAbsent(id, key -> new LinkedBlockingQueue<>()).add(text);
            } else {
                connectionMessages.add(message);
            }
        });
        socket.closeHandler(ignored -> closed.complete(socket.closeStatusCode() == null ? -1
                : (int) socket.closeStatusCode()));
    }

    /**
     * Opens {@code <graphql>/realtime} with {@code authorization} (sent as is: Amplify sends the bare JWT) in the
     * handshake's headers.
     */
    public static AppSyncSocket open(URI graphqlUri, Handshake handshake, String authorization) throws Exception {
        return open(graphqlUri, handshake, authorization, new WebSocketClientOptions());
    }

    /** The same with client options: TLS and the certificate to trust, for a wss:// endpoint. */
    public static AppSyncSocket open(URI graphqlUri, Handshake handshake, String authorization,
            WebSocketClientOptions clientOptions) throws Exception {
        JsonObject headers = new JsonObject().put("host", graphqlUri.getHost() + ":" + graphqlUri.getPort());
        if (authorization != null) {
            headers.put("Authorization", authorization);
        }
        byte[] json = headers.encode().getBytes(StandardCharsets.UTF_8);
        String path = graphqlUri.getPath() + "/realtime";
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(graphqlUri.getHost())
                .setPort(graphqlUri.getPort()).addSubProtocol("graphql-ws");
        if (handshake == Handshake.SUBPROTOCOL) {
            options.setURI(path).addSubProtocol("header-" + Base64.getUrlEncoder().withoutPadding().encodeToString(json));
        } else {
            String header = java.net.URLEncoder.encode(Base64.getEncoder().encodeToString(json), StandardCharsets.UTF_8);
            options.setURI(path + "?header=" + header + "&payload=e30%3D");
        }
        Vertx vertx = Vertx.vertx();
        try {
            WebSocketClient client = vertx.createWebSocketClient(clientOptions);
            // Built as the upgrade completes, so the handlers are in place before the first frame is handled.
            return client.connect(options).map(socket -> new AppSyncSocket(vertx, socket))
                    .toCompletionStage().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            vertx.close();
            throw e;
        }
    }

    public void send(JsonObject message) {
        socket.writeTextMessage(message.encode());
    }

    /** Sends connection_init and returns the answer (connection_ack or connection_error). */
    public JsonObject init() throws InterruptedException {
        send(new JsonObject().put("type", "connection_init"));
        return nextConnectionMessage();
    }

    /** Starts {@code query} as Amplify does; {@code authorization} (nullable) goes into its extensions. */
    public void start(String id, String query, Map<String, Object> variables, String authorization) {
        JsonObject extensions = new JsonObject();
        if (authorization != null) {
            extensions.put("authorization", new JsonObject().put("Authorization", authorization).put("host", "local"));
        }
        String data = new JsonObject().put("query", query).put("variables", new JsonObject(variables)).encode();
        send(new JsonObject().put("id", id).put("type", "start")
                .put("payload", new JsonObject().put("data", data).put("extensions", extensions)));
    }

    public void stop(String id) {
        send(new JsonObject().put("id", id).put("type", "stop"));
    }

    /** The next message of operation {@code id}. */
    public JsonObject next(String id) throws InterruptedException {
        JsonObject message = queueOf(id).poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
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

    /** The next message of {@code id} exactly as sent, if one comes within {@code wait}. */
    public String pollText(String id, Duration wait) throws InterruptedException {
        return textsByOperation.computeIfAbsent(id, key -> new LinkedBlockingQueue<>())
                .poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The payload's data of the next message of {@code id}, which must be {@code data} without errors. */
    public JsonObject nextData(String id) throws InterruptedException {
        JsonObject message = next(id);
        if (!"data".equals(message.getString("type")) || message.getJsonObject("payload").getValue("errors") != null) {
            throw new AssertionError("Expected data for operation " + id + ", got " + message);
        }
        return message.getJsonObject("payload").getJsonObject("data");
    }

    /** The next message of {@code id} if one comes within {@code wait}. */
    public JsonObject poll(String id, Duration wait) throws InterruptedException {
        return queueOf(id).poll(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next message that names no operation, other than ka. */
    public JsonObject nextConnectionMessage() throws InterruptedException {
        JsonObject message = connectionMessages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (message == null) {
            throw new AssertionError("No connection message within " + WAIT);
        }
        return message;
    }

    /** The next ka keep-alive, waiting at most {@code wait}. */
    public JsonObject nextKeepAlive(Duration wait) throws InterruptedException {
        JsonObject ka = keepAlives.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        if (ka == null) {
            throw new AssertionError("No ka within " + wait);
        }
        return ka;
    }

    /** The close code the server closed with, waiting at most {@code wait}. */
    public int awaitClose(Duration wait) throws Exception {
        return closed.get(wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    private BlockingQueue<JsonObject> queueOf(String id) {
        return byOperation.computeIfAbsent(id, key -> new LinkedBlockingQueue<>());
    }

    @Override
    public void close() {
        if (!socket.isClosed()) {
            socket.close();
        }
        vertx.close();
    }
}
