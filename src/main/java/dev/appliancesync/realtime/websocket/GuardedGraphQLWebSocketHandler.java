package dev.appliancesync.realtime.websocket;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import org.jboss.logging.Logger;

import dev.appliancesync.common.logging.RequestIds;
import dev.appliancesync.identity.SignedInPrincipal;
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
 * connection_init, same close on token expiry), with each connection wrapped in a {@link GuardedConnection}, closed
 * if it is not signed in within the init timeout, and counted against the instance's unauthenticated connections
 * until connection_init is acknowledged, then against its user. Quarkus offers no hook for any of this, so this takes
 * the upgrade before its route does.
 */
final class GuardedGraphQLWebSocketHandler extends SmallRyeGraphQLAbstractHandler {

    private static final Logger LOG = Logger.getLogger(GuardedGraphQLWebSocketHandler.class);

    private final Optional<String> initPayloadTokenName;
    private final ConnectionAdmission admission;

    GuardedGraphQLWebSocketHandler(CurrentIdentityAssociation identity, CurrentVertxRequest request,
            Optional<String> initPayloadTokenName, ConnectionAdmission admission) {
        super(identity, request, false);
        this.initPayloadTokenName = initPayloadTokenName;
        this.admission = admission;
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
            GuardedConnection connection = admission.guard(socket);
            String subprotocol = socket.subProtocol();
            if (!"graphql-transport-ws".equals(subprotocol) && !"graphql-ws".equals(subprotocol)) {
                socket.close((short) 4406, "Subprotocol must be graphql-transport-ws or graphql-ws");
                return;
            }
            ConnectionAdmission.Admitted admitted = admission.admit(ctx.vertx(), connection);
            if (admitted == null) {
                return;
            }
            BooleanSupplier acknowledge = () -> admitted.acknowledge(userOf(ctx));
            GraphQLWebsocketHandler handler = "graphql-transport-ws".equals(subprotocol)
                    ? new SmallRyeAuthGraphQLTransportWSSubprotocolHandler(connection, metaData, ctx, this,
                            initPayloadTokenName) {
                        @Override
                        protected void sendConnectionAckMessage() throws IOException {
                            if (acknowledge.getAsBoolean()) {
                                super.sendConnectionAckMessage();
                            }
                        }
                    }
                    : new SmallRyeAuthGraphQLWSSubprotocolHandler(connection, metaData, ctx, this,
                            initPayloadTokenName) {
                        @Override
                        protected void sendConnectionAckMessage() throws IOException {
                            if (acknowledge.getAsBoolean()) {
                                super.sendConnectionAckMessage();
                            }
                        }
                    };
            socket.closeHandler(closed -> {
                admitted.release();
                handler.onClose();
            });
            socket.endHandler(ended -> handler.onEnd());
            socket.exceptionHandler(handler::onThrowable);
            socket.textMessageHandler(text -> {
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
