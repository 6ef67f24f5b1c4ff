package dev.appliancesync.realtime.websocket;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Function;

import org.jboss.logging.Logger;

import dev.appliancesync.common.error.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.graphql.websocket.GraphQLWebSocketSession;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * One subscription connection, between the WebSocket and SmallRye's protocol handler: it bounds what the connection
 * may hold (operations at once; bytes waiting to be written), puts each operation started through the request limits
 * (depth, cost, its caller's rate), and counts it against its user's connections.
 */
public final class GuardedConnection implements GraphQLWebSocketSession {

    private static final Logger LOG = Logger.getLogger(GuardedConnection.class);

    private final ServerWebSocket socket;
    /** The payload of an error message in this connection's protocol, made from one GraphQL error. */
    private final Function<JsonObject, Object> errorPayload;
    private final boolean legacyProtocol;
    private final int maxOperations;
    /**
     * Operation ids started and not yet completed (items are written from other threads than the socket's). Sized
     * for the one or two most connections hold: a table of 4 rather than the default 16.
     */
    private final Set<String> operations = ConcurrentHashMap.newKeySet(2);
    /**
     * The error an operation's payload ({@code query}, {@code variables}...) is refused with (a document that does not
     * parse, or over the request limits) when the connection is signed in as the given identity (null: not signed
     * in), or empty to run it.
     */
    private final BiFunction<SecurityIdentity, JsonObject, Optional<JsonObject>> refusal;
    /** initialised is set on the socket's event loop, acknowledged where SmallRye acks (after authentication). */
    private volatile boolean initialised;
    private volatile boolean acknowledged;
    /** The identity settled at connection_ack, without the upgrade request; null if not signed in. */
    private volatile SecurityIdentity signedIn;

    private final Counter slowClosed;

    GuardedConnection(ServerWebSocket socket, Function<JsonObject, Object> errorPayload, int maxOperations,
            int maxWriteQueueBytes, Counter slowClosed,
            BiFunction<SecurityIdentity, JsonObject, Optional<JsonObject>> refusal) {
        this.socket = socket;
        this.errorPayload = errorPayload;
        this.refusal = refusal;
        this.slowClosed = slowClosed;
        this.legacyProtocol = "graphql-ws".equals(socket.subProtocol());
        this.maxOperations = maxOperations;
        socket.setWriteQueueMaxSize(maxWriteQueueBytes);
    }

    /**
     * Looks at a client message before SmallRye does: the message SmallRye should handle, or null if it was answered
     * here (a message the protocol does not allow, a second connection_init, an operation over the limit, a document
     * that does not parse).
     */
    ClientMessage admit(String text) {
        ClientMessage message;
        try {
            message = ClientMessage.read(text, legacyProtocol);
        } catch (ClientMessage.Invalid e) {
            refuseConnection(e.getMessage());
            return null;
        }
        String id = message.id();
        switch (message.type()) {
            case "connection_init" -> {
                if (initialised) {
                    close(CloseCodes.TOO_MANY_INITIALISATION_REQUESTS, "Too many initialisation requests");
                    return null;
                }
                initialised = true;
            }
            case "connection_terminate" -> {
                close(CloseCodes.NORMAL, "");
                return null;
            }
            case "subscribe", "start" -> {
                // Before the ack, and for an id in use, SmallRye answers as the protocol says (4401, 4409).
                if (!acknowledged || operations.contains(id)) {
                    return message;
                }
                if (operations.size() >= maxOperations) {
                    refuse(id, overOperationLimit());
                    return null;
                }
                Optional<JsonObject> refused = refusal.apply(signedIn, message.request());
                if (refused.isPresent()) {
                    refuse(id, refused.get());
                    return null;
                }
                operations.add(id);
                return message.starting();
            }
            case "complete", "stop" -> operations.remove(id);
            default -> {
            }
        }
        return message;
    }

    /**
     * For a protocol that checks its own messages (AppSync's): counts the operations a message starts and stops;
     * false if it was answered here (an operation over the limit).
     */
    public boolean countOperations(String text) {
        JsonObject message;
        try {
            message = new JsonObject(text);
        } catch (DecodeException | ClassCastException e) {
            return true; // the protocol answers it
        }
        if (!(message.getValue("id") instanceof String id) || !(message.getValue("type") instanceof String type)) {
            return true;
        }
        if ("start".equals(type) && !operations.contains(id)) {
            if (operations.size() >= maxOperations) {
                refuse(id, overOperationLimit());
                return false;
            }
            operations.add(id);
        } else if ("stop".equals(type)) {
            operations.remove(id);
        }
        return true;
    }

    /** The operation a client message is about (start, stop...), or null; for logging. */
    public static String operationId(String text) {
        try {
            return new JsonObject(text).getValue("id") instanceof String id ? id : null;
        } catch (DecodeException | ClassCastException e) {
            return null;
        }
    }

    /**
     * connection_ack goes out, signed in as {@code identity} (null: not signed in): operations are SmallRye's to run,
     * or the multiplexed path's, from now on.
     */
    void acknowledged(SecurityIdentity identity) {
        signedIn = identity;
        acknowledged = true;
    }

    /** The identity settled at connection_ack (see {@link SmallRyeGraphQLAdapter}), or null. */
    SecurityIdentity signedIn() {
        return signedIn;
    }

    /**
     * Closes for a message the protocol does not allow. graphql-transport-ws says how (4400 and the reason); the legacy
     * protocol has no close codes, so its clients first get the reason as a connection_error, which they surface.
     */
    void refuseConnection(String reason) {
        if (legacyProtocol && !socket.isClosed()) {
            socket.writeTextMessage(new JsonObject().put("type", "connection_error")
                    .put("payload", new JsonObject().put("message", reason)).encode());
        }
        close(CloseCodes.BAD_REQUEST, reason);
    }

    @Override
    public void sendMessage(String message) {
        if (mayWrite()) {
            forgetEnded(message);
            socket.writeTextMessage(message);
        }
    }

    /**
     * Writes a data message already encoded as UTF-8, as one text frame: the same buffer may go to every connection
     * of a group (see SharedFrame), so nothing is encoded per connection. Never a complete or an error.
     */
    void sendMessage(Buffer utf8) {
        if (mayWrite()) {
            socket.writeFrame(new WebSocketFrameImpl(WebSocketFrameType.TEXT, utf8.getByteBuf(), true));
        }
    }

    /** False if closed, or closing now because the client does not read what it is sent. */
    private boolean mayWrite() {
        if (socket.isClosed()) {
            return false;
        }
        if (socket.writeQueueFull()) {
            LOG.debugf("Closing slow subscription connection %s", peer());
            slowClosed.increment();
            // The close frame waits behind what is queued: the client sees the code once it reads that far.
            close(CloseCodes.SLOW_CONSUMER, "Too slow: reconnect and catch up with changes(since:)");
            return false;
        }
        return true;
    }

    /** Every close of the connection goes through here: its reason is clamped to what a close frame can carry. */
    @Override
    public void close(short statusCode, String reason) {
        if (!socket.isClosed()) {
            socket.close(statusCode, CloseReason.clamp(reason));
        }
    }

    @Override
    public boolean isClosed() {
        return socket.isClosed();
    }

    @Override
    public String toString() {
        return "{peer=" + peer() + "}";
    }

    /** Made when logged, not held: every idle connection would hold its own copy of what the socket holds. */
    private String peer() {
        return socket.remoteAddress() == null ? "unknown" : socket.remoteAddress().toString();
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

    private JsonObject overOperationLimit() {
        return new JsonObject().put("message", "At most " + maxOperations + " operations at once on one connection")
                .put("extensions", new JsonObject(Map.of("code", ErrorCode.QUOTA_EXCEEDED.name(),
                        "limit", "operations-per-connection", "max", maxOperations)));
    }

    /** Answers one operation with an error in this connection's protocol, which ends it. */
    private void refuse(String id, JsonObject error) {
        socket.writeTextMessage(new JsonObject().put("id", id).put("type", "error")
                .put("payload", errorPayload.apply(error)).encode());
    }
}
