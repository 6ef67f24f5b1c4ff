package dev.appliancesync.realtime.websocket;

import java.util.Optional;

import org.jboss.logging.Logger;

import dev.appliancesync.common.graphql.ApiCallers;
import dev.appliancesync.common.graphql.OperationGate;
import dev.appliancesync.common.logging.RequestIds;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.smallrye.graphql.websocket.GraphQLWebsocketHandler;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.RoutingContext;

/**
 * Quarkus's GraphQL-over-WebSocket handler (same subprotocol handlers, same token handling in the upgrade header or
 * connection_init, same close on token expiry), with each connection wrapped in a {@link GuardedConnection}, closed
 * if it is not signed in within the init timeout, and counted against the instance's unauthenticated connections
 * until connection_init is acknowledged, then against its user. It joins frames into messages itself (bounded, see
 * {@link MessageAssembler}) and hands SmallRye only messages of the protocol's shape ({@link ClientMessage}). Quarkus
 * offers no hook for any of this, so this takes the upgrade before its route does; what it uses of Quarkus's handler
 * goes through {@link SmallRyeGraphQLAdapter}.
 */
final class GuardedGraphQLWebSocketHandler {

    private static final Logger LOG = Logger.getLogger(GuardedGraphQLWebSocketHandler.class);

    private final SmallRyeGraphQLAdapter graphql;
    private final ConnectionAdmission admission;
    private final OperationGate operations;
    private final LiveSelections selections;
    private final int maxMessageBytes;
    private final String tooBigReason;

    GuardedGraphQLWebSocketHandler(CurrentIdentityAssociation identity, CurrentVertxRequest request,
            Optional<String> initPayloadTokenName, ConnectionAdmission admission, OperationGate operations,
            LiveSelections selections, int maxMessageBytes) {
        this.graphql = new SmallRyeGraphQLAdapter(identity, request, initPayloadTokenName, this::upgrade);
        this.admission = admission;
        this.operations = operations;
        this.selections = selections;
        this.maxMessageBytes = maxMessageBytes;
        this.tooBigReason = "Message over " + maxMessageBytes + " bytes";
    }

    static boolean isUpgrade(RoutingContext ctx) {
        return ctx.request().headers().contains(HttpHeaders.UPGRADE, HttpHeaders.WEBSOCKET, true)
                && !ctx.request().isEnded();
    }

    /** Takes a WebSocket upgrade request on the GraphQL path. */
    void handle(RoutingContext ctx) {
        graphql.handle(ctx);
    }

    private void upgrade(RoutingContext ctx, SmallRyeGraphQLAdapter.ProtocolHandlers protocols) {
        ctx.request().toWebSocket().onComplete(upgraded -> {
            if (upgraded.failed()) {
                LOG.debugf("WebSocket upgrade failed: %s", upgraded.cause().getMessage());
                return;
            }
            ServerWebSocket socket = upgraded.result();
            // What the connection needs of the upgrade request from now on, taken out of it: nothing of ours keeps
            // the request (see SmallRyeGraphQLAdapter.settle for the identity).
            String requestId = RequestIds.of(ctx);
            // Charged to whoever the connection is signed in as when the operation starts.
            GuardedConnection connection = admission.guard(socket,
                    (signedIn, payload) -> operations.refusal(ApiCallers.key(signedIn, socket.remoteAddress()),
                            payload));
            String subprotocol = socket.subProtocol();
            if (!SmallRyeGraphQLAdapter.GRAPHQL_TRANSPORT_WS.equals(subprotocol)
                    && !SmallRyeGraphQLAdapter.GRAPHQL_WS.equals(subprotocol)) {
                connection.close((short) 4406, "Subprotocol must be graphql-transport-ws or graphql-ws");
                return;
            }
            ConnectionAdmission.Admitted admitted = admission.admit(ctx.vertx(), connection);
            if (admitted == null) {
                return;
            }
            GraphQLWebsocketHandler handler = protocols.create(subprotocol, connection, signedIn -> {
                if (!admitted.acknowledge(ApiCallers.subjectOf(signedIn))) {
                    return false;
                }
                // Before the ack goes out: authentication may run off the event loop, and a client that has the ack
                // may subscribe at once; its subscribe must find the connection acknowledged.
                connection.acknowledged(signedIn);
                return true;
            });
            MultiplexedOperations multiplexed = new MultiplexedOperations(selections, connection,
                    SmallRyeGraphQLAdapter.GRAPHQL_WS.equals(subprotocol));
            socket.closeHandler(closed -> {
                admitted.release();
                multiplexed.closeAll();
                handler.onClose();
            });
            socket.endHandler(ended -> handler.onEnd());
            socket.exceptionHandler(failure -> {
                if (failure instanceof CorruptedWebSocketFrameException frame) {
                    refuseFrame(connection, frame);
                } else if (failure instanceof HttpClosedException) {
                    LOG.debugf("Subscription connection closed without a close frame: %s", connection);
                } else {
                    handler.onThrowable(failure);
                }
            });
            socket.frameHandler(new MessageAssembler(maxMessageBytes, new MessageAssembler.Listener() {
                @Override
                public void message(String text) {
                    ClientMessage message = connection.admit(text);
                    if (message != null) {
                        RequestIds.duringOperation(requestId, message.id(), () -> {
                            if (!multiplexed.take(message)) {
                                handler.onMessage(message.text());
                            }
                        });
                    }
                }

                @Override
                public void tooBig() {
                    connection.close(CloseCodes.MESSAGE_TOO_BIG, tooBigReason);
                }

                @Override
                public void binary() {
                    connection.refuseConnection("Binary messages are not part of the protocol");
                }
            })::frame);
        });
    }

    /**
     * A frame the WebSocket decoder refused: over the frame size limit (1009), not UTF-8 text (1007), or against RFC
     * 6455 (1002). Vert.x has the decoder drop it and what follows without closing; closing says why.
     */
    private void refuseFrame(GuardedConnection connection, CorruptedWebSocketFrameException failure) {
        short code = (short) failure.closeStatus().code();
        LOG.debugf("Refused a WebSocket frame (%d): %s", code, failure.getMessage());
        connection.close(code, code == CloseCodes.MESSAGE_TOO_BIG ? tooBigReason
                : failure.closeStatus().reasonText());
    }
}
