package dev.appliancesync.realtime.websocket;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.jboss.logging.Logger;

import dev.appliancesync.common.error.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.smallrye.graphql.websocket.GraphQLWebSocketSession;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * One subscription connection, between the WebSocket and SmallRye's protocol handler: it bounds what the connection
 * may hold (operations at once; bytes waiting to be written) and counts it against its user's connections.
 */
public final class GuardedConnection implements GraphQLWebSocketSession {

    private static final Logger LOG = Logger.getLogger(GuardedConnection.class);

    private final ServerWebSocket socket;
    /** The payload of an error message in this connection's protocol, made from one GraphQL error. */
    private final Function<JsonObject, Object> errorPayload;
    private final int maxOperations;
    /** Operation ids started and not yet completed (items are written from other threads than the socket's). */
    private final Set<String> operations = ConcurrentHashMap.newKeySet();
    private final String peer;

    private final Counter slowClosed;

    GuardedConnection(ServerWebSocket socket, Function<JsonObject, Object> errorPayload, int maxOperations,
            int maxWriteQueueBytes, Counter slowClosed) {
        this.socket = socket;
        this.slowClosed = slowClosed;
        this.errorPayload = errorPayload;
        this.maxOperations = maxOperations;
        this.peer = socket.remoteAddress() == null ? "unknown" : socket.remoteAddress().toString();
        socket.setWriteQueueMaxSize(maxWriteQueueBytes);
    }

    /**
     * Looks at a client message before SmallRye does; false if it was answered here (an operation over the limit).
     */
    public boolean admit(String text) {
        JsonObject message;
        try {
            message = new JsonObject(text);
        } catch (DecodeException | ClassCastException e) {
            return true; // SmallRye closes with 4400 and says why
        }
        String type = message.getString("type");
        String id = message.getValue("id") instanceof String s ? s : null;
        if (id == null || type == null) {
            return true;
        }
        switch (type) {
            case "subscribe", "start" -> {
                if (!operations.contains(id) && operations.size() >= maxOperations) {
                    refuse(id, "At most " + maxOperations + " operations at once on one connection");
                    return false;
                }
                operations.add(id);
            }
            case "complete", "stop" -> operations.remove(id);
            default -> {
            }
        }
        return true;
    }

    /** The operation a client message is about (subscribe, complete...), or null (connection_init, ping...). */
    public static String operationId(String text) {
        try {
            return new JsonObject(text).getValue("id") instanceof String id ? id : null;
        } catch (DecodeException | ClassCastException e) {
            return null;
        }
    }

    @Override
    public void sendMessage(String message) {
        if (socket.isClosed()) {
            return;
        }
        if (socket.writeQueueFull()) {
            LOG.debugf("Closing slow subscription connection %s", peer);
            slowClosed.increment();
            // The close frame waits behind what is queued: the client sees the code once it reads that far.
            close(CloseCodes.SLOW_CONSUMER, "Too slow: reconnect and catch up with changes(since:)");
            return;
        }
        forgetEnded(message);
        socket.writeTextMessage(message);
    }

    @Override
    public void close(short statusCode, String reason) {
        if (!socket.isClosed()) {
            socket.close(statusCode, reason);
        }
    }

    @Override
    public boolean isClosed() {
        return socket.isClosed();
    }

    @Override
    public String toString() {
        return "{peer=" + peer + "}";
    }

    /** The server's complete or error for an operation ends it. Our own messages are small: this is cheap. */
    private void forgetEnded(String message) {
        if (operations.isEmpty() || !(message.startsWith("{\"type\":\"complete\"") || message.contains("\"type\":\"error\""))) {
            return;
        }
        try {
            String id = new JsonObject(message).getString("id");
            if (id != null) {
                operations.remove(id);
            }
        } catch (DecodeException | ClassCastException e) {
            // not ours to judge
        }
    }

    /** An error message's payload in graphql-ws (the error) or graphql-transport-ws (a list of errors). */
    static Object errorPayloadOf(String subprotocol, JsonObject error) {
        return "graphql-ws".equals(subprotocol) ? error : new JsonArray(List.of(error));
    }

    private void refuse(String id, String reason) {
        JsonObject error = new JsonObject().put("message", reason)
                .put("extensions", new JsonObject(Map.of("code", ErrorCode.QUOTA_EXCEEDED.name(),
                        "limit", "operations-per-connection", "max", maxOperations)));
        socket.writeTextMessage(new JsonObject().put("id", id).put("type", "error")
                .put("payload", errorPayload.apply(error)).encode());
    }
}
