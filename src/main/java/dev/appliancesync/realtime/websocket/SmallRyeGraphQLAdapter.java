package dev.appliancesync.realtime.websocket;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;

import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.smallrye.graphql.runtime.SmallRyeAuthGraphQLTransportWSSubprotocolHandler;
import io.quarkus.smallrye.graphql.runtime.SmallRyeAuthGraphQLWSSubprotocolHandler;
import io.quarkus.smallrye.graphql.runtime.SmallRyeGraphQLAbstractHandler;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.smallrye.graphql.websocket.GraphQLWebSocketSession;
import io.smallrye.graphql.websocket.GraphQLWebsocketHandler;
import io.vertx.ext.web.RoutingContext;

/**
 * The one class that touches the quarkus-smallrye-graphql extension's runtime internals
 * ({@code io.quarkus.smallrye.graphql.runtime}). The extension has no public extension point for its WebSocket
 * route, and we need its behaviour (not a copy of it) around our own connection handling. What we rely on, each
 * pinned by a test so an upgrade that changes it fails there:
 * <ul>
 * <li>{@link #handle} activates the request context and sets the caller's identity (from the upgrade request) before
 * our upgrade handler runs, and the protocol handlers get the request's metadata captured while it is active
 * (SubscriptionAuthenticationTest: the token in the upgrade header authenticates the connection);</li>
 * <li>the protocol handlers authenticate a token in connection_init's payload
 * ({@code authorization-client-init-payload-name}) as if it were the Authorization header, refuse a bad one with
 * 4403 and one in both places with 4400, and close with 1008 when the identity expires
 * (SubscriptionAuthenticationTest);</li>
 * <li>they send connection_ack through {@code sendConnectionAckMessage()}, after authentication, so we can count the
 * connection against its user first, or refuse it (SmallRyeGraphQLAdapterTest, ConnectionAdmissionTest).</li>
 * </ul>
 */
final class SmallRyeGraphQLAdapter extends SmallRyeGraphQLAbstractHandler {

    static final String GRAPHQL_TRANSPORT_WS = "graphql-transport-ws";
    static final String GRAPHQL_WS = "graphql-ws";

    /** Makes SmallRye's protocol handler for one connection of the upgrade it was given with. */
    @FunctionalInterface
    interface ProtocolHandlers {
        /**
         * The handler of {@code subprotocol} (one of the two constants) writing to {@code session}. It sends
         * connection_ack, once the connection is authenticated, only if {@code mayAcknowledge} says so, and runs
         * {@code acknowledged} just before it does.
         */
        GraphQLWebsocketHandler create(String subprotocol, GraphQLWebSocketSession session,
                BooleanSupplier mayAcknowledge, Runnable acknowledged);
    }

    private final Optional<String> initPayloadTokenName;
    private final BiConsumer<RoutingContext, ProtocolHandlers> upgrade;

    /**
     * {@code upgrade} takes each WebSocket upgrade request, with the request context active and the caller's identity
     * set, and the protocol handlers for its connection.
     */
    SmallRyeGraphQLAdapter(CurrentIdentityAssociation identity, CurrentVertxRequest request,
            Optional<String> initPayloadTokenName, BiConsumer<RoutingContext, ProtocolHandlers> upgrade) {
        super(identity, request, false);
        this.initPayloadTokenName = initPayloadTokenName;
        this.upgrade = upgrade;
    }

    @Override
    protected void doHandle(RoutingContext ctx) {
        // Now, while the request context is active: the metadata carries its state to the operations.
        Map<String, Object> metaData = getMetaData(ctx);
        upgrade.accept(ctx, (subprotocol, session, mayAcknowledge, acknowledged) -> switch (subprotocol) {
            case GRAPHQL_TRANSPORT_WS -> new SmallRyeAuthGraphQLTransportWSSubprotocolHandler(session, metaData, ctx,
                    this, initPayloadTokenName) {
                @Override
                protected void sendConnectionAckMessage() throws IOException {
                    if (mayAcknowledge.getAsBoolean()) {
                        // First: authentication may run off the event loop, and a client that has the ack may
                        // subscribe at once; its subscribe must find the connection acknowledged.
                        acknowledged.run();
                        super.sendConnectionAckMessage();
                    }
                }
            };
            case GRAPHQL_WS -> new SmallRyeAuthGraphQLWSSubprotocolHandler(session, metaData, ctx, this,
                    initPayloadTokenName) {
                @Override
                protected void sendConnectionAckMessage() throws IOException {
                    if (mayAcknowledge.getAsBoolean()) {
                        // First: authentication may run off the event loop, and a client that has the ack may
                        // subscribe at once; its subscribe must find the connection acknowledged.
                        acknowledged.run();
                        super.sendConnectionAckMessage();
                    }
                }
            };
            default -> throw new IllegalArgumentException("Not a GraphQL WebSocket subprotocol: " + subprotocol);
        });
    }
}
