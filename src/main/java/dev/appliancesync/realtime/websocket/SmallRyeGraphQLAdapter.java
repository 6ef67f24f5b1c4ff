package dev.appliancesync.realtime.websocket;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

import dev.appliancesync.identity.DetachedIdentity;
import io.quarkus.arc.Arc;
import io.quarkus.arc.InjectableContext.ContextState;
import io.quarkus.arc.ManagedContext;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.smallrye.graphql.runtime.SmallRyeAuthGraphQLTransportWSSubprotocolHandler;
import io.quarkus.smallrye.graphql.runtime.SmallRyeAuthGraphQLWSSubprotocolHandler;
import io.quarkus.smallrye.graphql.runtime.SmallRyeGraphQLAbstractHandler;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
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
 * connection against its user first, or refuse it (SmallRyeGraphQLAdapterTest, ConnectionAdmissionTest), and settle
 * the identity the connection keeps (IdentityAfterAckTest);</li>
 * <li>{@code getMetaData} puts the request context's state under {@value #STATE}, where the data fetchers of the
 * connection's operations find it (IdentityAfterAckTest: a resolver sees the re-issued identity);</li>
 * <li>the protocol handlers use the routing context they are given to authenticate and, once the connection is
 * acknowledged, only for its {@code vertx()}, to cancel the expiry's timer at close (UpgradeRequestHandle fails
 * anything else; SubscriptionAuthenticationTest: tokens in either place, and their expiry).</li>
 * </ul>
 */
final class SmallRyeGraphQLAdapter extends SmallRyeGraphQLAbstractHandler {

    static final String GRAPHQL_TRANSPORT_WS = "graphql-transport-ws";
    static final String GRAPHQL_WS = "graphql-ws";
    /** Where {@code getMetaData} puts the request context's state, which SmallRye's data fetchers reactivate. */
    private static final String STATE = "state";
    /** Where {@code getMetaData} puts a copy of the upgrade request's headers, for the operations. */
    private static final String HTTP_HEADERS = "httpHeaders";

    /** Makes SmallRye's protocol handler for one connection of the upgrade it was given with. */
    @FunctionalInterface
    interface ProtocolHandlers {
        /**
         * The handler of {@code subprotocol} (one of the two constants) writing to {@code session}. Once the
         * connection is authenticated, and just before connection_ack, it settles the connection's identity (see
         * {@link SmallRyeGraphQLAdapter#settle}) and asks {@code acknowledging} with it (null: not signed in); it
         * sends connection_ack only if that says so.
         */
        GraphQLWebsocketHandler create(String subprotocol, GraphQLWebSocketSession session,
                Predicate<SecurityIdentity> acknowledging);
    }

    private final CurrentIdentityAssociation identity;
    private final CurrentVertxRequest currentRequest;
    private final Optional<String> initPayloadTokenName;
    private final BiConsumer<RoutingContext, ProtocolHandlers> upgrade;

    /**
     * {@code upgrade} takes each WebSocket upgrade request, with the request context active and the caller's identity
     * set, and the protocol handlers for its connection.
     */
    SmallRyeGraphQLAdapter(CurrentIdentityAssociation identity, CurrentVertxRequest request,
            Optional<String> initPayloadTokenName, BiConsumer<RoutingContext, ProtocolHandlers> upgrade) {
        super(identity, request, false);
        this.identity = identity;
        this.currentRequest = request;
        this.initPayloadTokenName = initPayloadTokenName;
        this.upgrade = upgrade;
    }

    @Override
    protected void doHandle(RoutingContext ctx) {
        // Now, while the request context is active: the metadata carries its state to the operations.
        Map<String, Object> metaData = getMetaData(ctx);
        metaData.computeIfPresent(HTTP_HEADERS, (name, headers) -> compact(headers));
        ContextState state = (ContextState) metaData.get(STATE);
        upgrade.accept(ctx, (subprotocol, session, acknowledging) -> {
            // The handlers keep what they are given for as long as the connection is open: a handle that lets the
            // request go at the ack (see UpgradeRequestHandle).
            UpgradeRequestHandle.Handed request = UpgradeRequestHandle.of(ctx);
            return switch (subprotocol) {
                case GRAPHQL_TRANSPORT_WS -> new SmallRyeAuthGraphQLTransportWSSubprotocolHandler(session, metaData,
                        request.context(), this, initPayloadTokenName) {
                    @Override
                    protected void sendConnectionAckMessage() throws IOException {
                        if (acknowledging.test(settle(request.handle(), state))) {
                            super.sendConnectionAckMessage();
                        }
                    }
                };
                case GRAPHQL_WS -> new SmallRyeAuthGraphQLWSSubprotocolHandler(session, metaData, request.context(),
                        this, initPayloadTokenName) {
                    @Override
                    protected void sendConnectionAckMessage() throws IOException {
                        if (acknowledging.test(settle(request.handle(), state))) {
                            super.sendConnectionAckMessage();
                        }
                    }
                };
                default -> throw new IllegalArgumentException("Not a GraphQL WebSocket subprotocol: " + subprotocol);
            };
        });
    }

    /**
     * The same headers, names and values, in immutable collections: {@code getMetaData} copies them into a HashMap
     * of LinkedLists, which the connection's handler keeps for as long as it is open (about 1 KiB for the eight
     * headers of the benchmark's client, a third of that like this). Operations read them (e.g. Accept-Language for
     * validation messages), none writes them.
     */
    @SuppressWarnings("unchecked")
    private static Object compact(Object headers) {
        if (!(headers instanceof Map<?, ?> byName)) {
            return headers;
        }
        Map<String, List<String>> copy = new HashMap<>();
        ((Map<String, List<String>>) byName).forEach((name, values) -> copy.put(name, List.copyOf(values)));
        return Map.copyOf(copy);
    }

    /**
     * The identity the connection keeps from now on (null if not signed in): the one authentication settled on (from
     * the upgrade or connection_init), re-issued without the upgrade request ({@link DetachedIdentity}), and put where
     * every later use reads it: the identity of the request context its operations run in (resolvers, through
     * CurrentUser). Then nothing of the connection keeps the upgrade request, and all routing hung on it, for as long
     * as the connection is open: not the identity, not the protocol handlers ({@link UpgradeRequestHandle}), not the
     * request context (its {@link CurrentVertxRequest}, which no operation of a WebSocket connection reads). Token
     * expiry needs nothing: its timer was set from the identity's expire-time when authentication settled, and the
     * copy carries the same.
     */
    private SecurityIdentity settle(UpgradeRequestHandle request, ContextState state) {
        RoutingContext ctx = request.request();
        request.release();
        SecurityIdentity authenticated = ctx.user() instanceof QuarkusHttpUser user ? user.getSecurityIdentity() : null;
        SecurityIdentity settled = authenticated == null || authenticated.isAnonymous() ? null
                : DetachedIdentity.of(authenticated);
        ManagedContext requests = Arc.container().requestContext();
        ContextState previous = requests.isActive() ? requests.getState() : null;
        requests.activate(state);
        try {
            currentRequest.setCurrent(null);
            if (settled != null && settled != authenticated) {
                identity.setIdentity(settled);
            }
        } finally {
            requests.deactivate();
            if (previous != null) {
                requests.activate(previous);
            }
        }
        return settled;
    }
}
