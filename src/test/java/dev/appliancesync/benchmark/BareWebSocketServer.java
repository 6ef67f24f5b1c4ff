package dev.appliancesync.benchmark;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;

/**
 * The floor for the service's WebSocket side: a bare Vert.x WebSocket server (a Vert.x of its own, two event loops,
 * the machine's cores) that speaks just enough graphql-transport-ws for the benchmarks' clients. It acknowledges
 * {@code connection_init}; a {@code subscribe} whose variables name an audience ({@code "a"}) joins that audience and
 * gets the audience's first frame, if there is one. {@link #broadcast} writes one frame, as it is, to every socket of
 * an audience. No authentication, no GraphQL, no per-subscriber work: what is left is the cost of holding and writing
 * to WebSockets.
 */
final class BareWebSocketServer implements AutoCloseable {

    private static final Duration BOUND = Duration.ofSeconds(30);

    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(1));
    private final Map<String, List<ServerWebSocket>> audiences = new ConcurrentHashMap<>();
    private final HttpServer server;

    /** Acknowledges connections and holds them; subscribes join no audience. */
    BareWebSocketServer() throws Exception {
        this(audience -> null);
    }

    /** {@code firstFrame}: the text a socket joining the audience gets at once ({@code null}: none). */
    BareWebSocketServer(Function<String, String> firstFrame) throws Exception {
        server = vertx.createHttpServer(new HttpServerOptions().setWebSocketSubProtocols(List.of("graphql-transport-ws")))
                // This Vert.x hands upgrade requests to the request handler, which accepts them here.
                .requestHandler(request -> request.toWebSocket().onSuccess(ws -> ws.textMessageHandler(text -> {
                    JsonObject message = new JsonObject(text);
                    switch (message.getString("type", "")) {
                        case "connection_init" -> ws.writeTextMessage("{\"type\":\"connection_ack\"}");
                        case "subscribe" -> join(ws, message, firstFrame);
                        default -> {
                        }
                    }
                })))
                .listen(0, "localhost").toCompletionStage().toCompletableFuture()
                .get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void join(ServerWebSocket ws, JsonObject subscribe, Function<String, String> firstFrame) {
        JsonObject variables = subscribe.getJsonObject("payload", new JsonObject()).getJsonObject("variables");
        String audience = variables == null ? null : variables.getString("a");
        if (audience == null) {
            return;
        }
        audiences.computeIfAbsent(audience, a -> new CopyOnWriteArrayList<>()).add(ws);
        String first = firstFrame.apply(audience);
        if (first != null) {
            ws.writeTextMessage(first);
        }
    }

    /** The URI to give a {@link GraphQLClients} (any path is accepted). */
    URI graphql() {
        return URI.create("http://localhost:" + server.actualPort() + "/graphql");
    }

    /** Writes {@code frame} to every socket that joined {@code audience}; returns how many. */
    int broadcast(String audience, String frame) {
        List<ServerWebSocket> sockets = audiences.getOrDefault(audience, List.of());
        for (ServerWebSocket ws : sockets) {
            ws.writeTextMessage(frame);
        }
        return sockets.size();
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }
}
