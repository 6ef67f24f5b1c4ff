package dev.appliancesync.realtime.websocket;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.jboss.logging.Logger;

import dev.appliancesync.common.logging.RequestIds;
import dev.appliancesync.identity.SignedInPrincipal;
import dev.appliancesync.realtime.RealtimeConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.smallrye.graphql.runtime.SmallRyeAuthGraphQLTransportWSSubprotocolHandler;
import io.quarkus.smallrye.graphql.runtime.SmallRyeAuthGraphQLWSSubprotocolHandler;
import io.quarkus.smallrye.graphql.runtime.SmallRyeGraphQLAbstractHandler;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.smallrye.graphql.websocket.GraphQLWebsocketHandler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.RoutingContext;

/**
 * Quarkus's GraphQL-over-WebSocket handler (same subprotocol handlers, same token handling in the upgrade header or
 * connection_init, same close on token expiry), with each connection wrapped in a {@link GuardedConnection} and
 * counted against its user. Quarkus offers no hook for either, so this takes the upgrade before its route does.
 */
final class GuardedGraphQLWebSocketHandler extends SmallRyeGraphQLAbstractHandler {

    static final String SLOW_CLOSED_METRIC = "appliance_sync.realtime.slow_consumers_closed";
    static final String CONNECTIONS_METRIC = "appliance_sync.realtime.connections.active";
    private static final Logger LOG = Logger.getLogger(GuardedGraphQLWebSocketHandler.class);

    private final Optional<String> initPayloadTokenName;
    private final RealtimeConfig config;
    private final SubscriptionConnections connections;
    private final Counter slowClosed;
    private final AtomicInteger open = new AtomicInteger();

    GuardedGraphQLWebSocketHandler(CurrentIdentityAssociation identity, CurrentVertxRequest request,
            Optional<String> initPayloadTokenName, RealtimeConfig config, SubscriptionConnections connections,
            MeterRegistry metrics) {
        super(identity, request, false);
        this.initPayloadTokenName = initPayloadTokenName;
        this.config = config;
        this.connections = connections;
        this.slowClosed = Counter.builder(SLOW_CLOSED_METRIC)
                .description("Subscription connections closed because the client did not keep up").register(metrics);
        Gauge.builder(CONNECTIONS_METRIC, open, AtomicInteger::get)
                .description("Open GraphQL WebSocket connections on this instance").register(metrics);
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
                    config.maxWriteQueueBytes(), slowClosed);
            GraphQLWebsocketHandler handler;
            String subprotocol = socket.subProtocol();
            if ("graphql-transport-ws".equals(subprotocol)) {
                handler = new SmallRyeAuthGraphQLTransportWSSubprotocolHandler(connection, metaData, ctx, this,
                        initPayloadTokenName);
            } else if ("graphql-ws".equals(subprotocol)) {
                handler = new SmallRyeAuthGraphQLWSSubprotocolHandler(connection, metaData, ctx, this,
                        initPayloadTokenName);
            } else {
                socket.close((short) 4406, "Subprotocol must be graphql-transport-ws or graphql-ws");
                return;
            }
            SubscriptionConnections.Lease lease = new SubscriptionConnections.Lease();
            open.incrementAndGet();
            socket.closeHandler(closed -> {
                open.decrementAndGet();
                connections.release(lease);
                handler.onClose();
            });
            socket.endHandler(ended -> handler.onEnd());
            socket.exceptionHandler(handler::onThrowable);
            socket.textMessageHandler(text -> {
                // The user is known once the connection is authenticated (upgrade header or connection_init).
                if (!lease.held()) {
                    String user = userOf(ctx);
                    if (user != null && !connections.acquire(user, lease)) {
                        connection.close(CloseCodes.TOO_MANY_CONNECTIONS, "At most "
                                + config.maxConnectionsPerUser() + " subscription connections per user");
                        return;
                    }
                }
                if (connection.admit(text)) {
                    RequestIds.duringOperation(ctx, GuardedConnection.operationId(text), () -> handler.onMessage(text));
                }
            });
        });
    }

    private static String userOf(RoutingContext ctx) {
        if (!(ctx.user() instanceof QuarkusHttpUser user)) {
            return null;
        }
        SecurityIdentity identity = user.getSecurityIdentity();
        return identity == null || identity.isAnonymous() ? null : SignedInPrincipal.of(identity).subject();
    }
}
