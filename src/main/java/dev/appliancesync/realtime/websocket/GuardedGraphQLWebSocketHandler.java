package dev.appliancesync.realtime.websocket;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.jboss.logging.Logger;

import dev.appliancesync.common.graphql.ApiCallers;
import dev.appliancesync.common.graphql.CostedDocuments;
import dev.appliancesync.common.graphql.GraphQLDocumentParser;
import dev.appliancesync.common.graphql.RequestLimits;
import dev.appliancesync.common.logging.RequestIds;
import dev.appliancesync.realtime.RealtimeConfig;
import graphql.parser.InvalidSyntaxException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.smallrye.graphql.runtime.SmallRyeAuthGraphQLTransportWSSubprotocolHandler;
import io.quarkus.smallrye.graphql.runtime.SmallRyeAuthGraphQLWSSubprotocolHandler;
import io.quarkus.smallrye.graphql.runtime.SmallRyeGraphQLAbstractHandler;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.smallrye.graphql.websocket.GraphQLWebsocketHandler;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Quarkus's GraphQL-over-WebSocket handler (same subprotocol handlers, same token handling in the upgrade header or
 * connection_init, same close on token expiry), with each connection wrapped in a {@link GuardedConnection}, closed
 * if it is not signed in within the init timeout, and counted against the instance's unauthenticated connections
 * until connection_init is acknowledged, then against its user. It joins frames into messages itself (bounded, see
 * {@link MessageAssembler}) and hands SmallRye only messages of the protocol's shape ({@link ClientMessage}). Quarkus
 * offers no hook for any of this, so this takes the upgrade before its route does.
 */
final class GuardedGraphQLWebSocketHandler extends SmallRyeGraphQLAbstractHandler {

    static final String SLOW_CLOSED_METRIC = "appliance_sync.realtime.slow_consumers_closed";
    static final String CONNECTIONS_METRIC = "appliance_sync.realtime.connections.active";
    static final String UNAUTHENTICATED_METRIC = "appliance_sync.realtime.connections.unauthenticated";
    /** Connections closed by one of the limits below, tagged {@code limit}. */
    static final String LIMITED_METRIC = "appliance_sync.realtime.connections.limited";
    private static final Logger LOG = Logger.getLogger(GuardedGraphQLWebSocketHandler.class);

    private final Optional<String> initPayloadTokenName;
    private final RealtimeConfig config;
    private final SubscriptionConnections connections;
    private final Counter slowClosed;
    private final Counter closedOverUnauthenticatedLimit;
    private final Counter closedAtInitTimeout;
    private final Counter closedOverUserLimit;
    private final AtomicInteger open = new AtomicInteger();
    private final CostedDocuments documents;
    private final RequestLimits limits;
    private final int maxMessageBytes;
    private final String tooBigReason;

    GuardedGraphQLWebSocketHandler(CurrentIdentityAssociation identity, CurrentVertxRequest request,
            Optional<String> initPayloadTokenName, RealtimeConfig config, SubscriptionConnections connections,
            MeterRegistry metrics, CostedDocuments documents, RequestLimits limits, int maxMessageBytes) {
        super(identity, request, false);
        this.documents = documents;
        this.limits = limits;
        this.maxMessageBytes = maxMessageBytes;
        this.tooBigReason = "Message over " + maxMessageBytes + " bytes";
        this.initPayloadTokenName = initPayloadTokenName;
        this.config = config;
        this.connections = connections;
        this.slowClosed = Counter.builder(SLOW_CLOSED_METRIC)
                .description("Subscription connections closed because the client did not keep up").register(metrics);
        Gauge.builder(CONNECTIONS_METRIC, open, AtomicInteger::get)
                .description("Open GraphQL WebSocket connections on this instance").register(metrics);
        Gauge.builder(UNAUTHENTICATED_METRIC, connections, SubscriptionConnections::unauthenticated)
                .description("Open GraphQL WebSocket connections on this instance not counted against a user yet")
                .register(metrics);
        this.closedOverUnauthenticatedLimit = limited(metrics, "unauthenticated-connections");
        this.closedAtInitTimeout = limited(metrics, "connection-init-timeout");
        this.closedOverUserLimit = limited(metrics, "connections-per-user");
    }

    private static Counter limited(MeterRegistry metrics, String limit) {
        return Counter.builder(LIMITED_METRIC).tag("limit", limit)
                .description("GraphQL WebSocket connections closed by a connection limit").register(metrics);
    }

    static boolean isUpgrade(RoutingContext ctx) {
        return ctx.request().headers().contains(HttpHeaders.UPGRADE, HttpHeaders.WEBSOCKET, true)
                && !ctx.request().isEnded();
    }

    @Override
    protected void doHandle(RoutingContext ctx) {
        Map<String, Object> metaData = getMetaData(ctx);
        ctx.request().toWebSocket().onComplete(upgraded -> {
            if (upgraded.failed()) {
                LOG.debugf("WebSocket upgrade failed: %s", upgraded.cause().getMessage());
                return;
            }
            ServerWebSocket socket = upgraded.result();
            GuardedConnection connection = new GuardedConnection(socket, config.maxSubscriptionsPerConnection(),
                    config.maxWriteQueueBytes(), slowClosed, payload -> refusal(ctx, payload));
            String subprotocol = socket.subProtocol();
            if (!"graphql-transport-ws".equals(subprotocol) && !"graphql-ws".equals(subprotocol)) {
                connection.close((short) 4406, "Subprotocol must be graphql-transport-ws or graphql-ws");
                return;
            }
            SubscriptionConnections.Lease lease = new SubscriptionConnections.Lease();
            if (!connections.admitUnauthenticated(lease)) {
                closedOverUnauthenticatedLimit.increment();
                connection.close(CloseCodes.TRY_AGAIN_LATER, "At most " + config.maxUnauthenticatedConnections()
                        + " connections may wait for connection_init; try again later");
                return;
            }
            // A fixed deadline from the upgrade, not an idle timeout: pings (which the protocol allows before
            // connection_init, and SmallRye answers) do not extend it.
            long initDeadline = ctx.vertx().setTimer(config.connectionInitTimeout().toMillis(), fired -> {
                if (!lease.held() && !connection.isClosed()) {
                    closedAtInitTimeout.increment();
                    connection.close(CloseCodes.INIT_TIMEOUT, "Connection initialisation timeout");
                }
            });
            BooleanSupplier acknowledge = () -> mayAcknowledge(ctx, lease, connection, initDeadline);
            GraphQLWebsocketHandler handler = "graphql-transport-ws".equals(subprotocol)
                    ? new SmallRyeAuthGraphQLTransportWSSubprotocolHandler(connection, metaData, ctx, this,
                            initPayloadTokenName) {
                        @Override
                        protected void sendConnectionAckMessage() throws IOException {
                            if (acknowledge.getAsBoolean()) {
                                super.sendConnectionAckMessage();
                                connection.acknowledged();
                            }
                        }
                    }
                    : new SmallRyeAuthGraphQLWSSubprotocolHandler(connection, metaData, ctx, this,
                            initPayloadTokenName) {
                        @Override
                        protected void sendConnectionAckMessage() throws IOException {
                            if (acknowledge.getAsBoolean()) {
                                super.sendConnectionAckMessage();
                                connection.acknowledged();
                            }
                        }
                    };
            open.incrementAndGet();
            socket.closeHandler(closed -> {
                open.decrementAndGet();
                ctx.vertx().cancelTimer(initDeadline);
                connections.release(lease);
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
                        RequestIds.duringOperation(ctx, message.id(), () -> handler.onMessage(message.text()));
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

    /**
     * Asked just before connection_ack goes out, when the user is known (token in the upgrade header or in
     * connection_init): the connection now counts against that user, and is refused with 4029 if they hold the most
     * already. A connection without a token is acknowledged (its subscriptions get UNAUTHENTICATED), but stays
     * unauthenticated and is closed at the init deadline.
     */
    private boolean mayAcknowledge(RoutingContext ctx, SubscriptionConnections.Lease lease,
            GuardedConnection connection, long initDeadline) {
        String user = ApiCallers.signedInSubject(ctx);
        if (user == null) {
            return true;
        }
        if (connections.acquire(user, lease)) {
            ctx.vertx().cancelTimer(initDeadline);
            return true;
        }
        if (!connection.isClosed()) {
            closedOverUserLimit.increment();
            connection.close(CloseCodes.TOO_MANY_CONNECTIONS, "At most " + config.maxConnectionsPerUser()
                    + " subscription connections per user");
        }
        return false;
    }

    /**
     * The error an operation started on this connection is refused with, if it is: a document that does not parse
     * (GRAPHQL_PARSE_FAILED), or one the request limits refuse (depth, cost, its caller's rate), charged to whoever
     * the connection is signed in as by then.
     */
    private Optional<JsonObject> refusal(RoutingContext ctx, JsonObject payload) {
        CostedDocuments.Costed costed;
        try {
            costed = documents.cost(payload.getString("query"),
                    payload.getValue("operationName") instanceof String name ? name : null,
                    payload.getValue("variables") instanceof JsonObject variables ? variables.getMap() : Map.of());
        } catch (InvalidSyntaxException e) {
            return Optional.of(GraphQLDocumentParser.parseFailed(e));
        }
        return limits.admit(ApiCallers.key(ctx), costed.cost()).map(RequestLimits::error);
    }
}
