package dev.appliancesync.realtime.websocket;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.common.metrics.ServiceMetrics;
import dev.appliancesync.realtime.RealtimeConfig;
import io.micrometer.core.instrument.Counter;
import io.quarkus.runtime.Startup;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;

/**
 * The connection limits every subscription endpoint applies (our GraphQL WebSocket protocols and AppSync's): a new
 * connection counts against the instance's unauthenticated ones, must be acknowledged as a signed-in user within the
 * init timeout, and then counts against that user, up to their limit. Shared, so both endpoints count in one place.
 */
@ApplicationScoped
@Startup // its meters are reported from the start, before the first connection creates the bean
public class ConnectionAdmission {

    private final RealtimeConfig config;
    private final SubscriptionConnections connections;
    private final Counter slowClosed;
    private final Counter closedOverUnauthenticatedLimit;
    private final Counter closedAtInitTimeout;
    private final Counter closedOverUserLimit;
    private final AtomicInteger open = new AtomicInteger();

    public ConnectionAdmission(RealtimeConfig config, SubscriptionConnections connections, ServiceMetrics metrics) {
        this.config = config;
        this.connections = connections;
        this.slowClosed = metrics.realtimeSlowConsumersClosed();
        metrics.realtimeConnectionsActive(open);
        metrics.realtimeConnectionsUnauthenticated(connections, SubscriptionConnections::unauthenticated);
        // Connections closed by one of the limits below, tagged with it.
        this.closedOverUnauthenticatedLimit = metrics.realtimeConnectionsLimited("unauthenticated-connections");
        this.closedAtInitTimeout = metrics.realtimeConnectionsLimited("connection-init-timeout");
        this.closedOverUserLimit = metrics.realtimeConnectionsLimited("connections-per-user");
    }

    /**
     * Wraps a freshly upgraded graphql-ws or graphql-transport-ws socket (see the other overload); {@code refusal}
     * gives the error an operation's payload is refused with, if it is (see {@link GuardedConnection#admit}).
     */
    GuardedConnection guard(ServerWebSocket socket,
            BiFunction<SecurityIdentity, JsonObject, Optional<JsonObject>> refusal) {
        String subprotocol = socket.subProtocol();
        return guard(socket, error -> GuardedConnection.errorPayloadOf(subprotocol, error), refusal);
    }

    /**
     * Wraps a freshly upgraded socket: bounded operations and write queue, slow readers closed with 4008. An operation
     * over the limit gets an error message whose payload {@code errorPayload} makes from the error.
     */
    public GuardedConnection guard(ServerWebSocket socket, Function<JsonObject, Object> errorPayload,
            BiFunction<SecurityIdentity, JsonObject, Optional<JsonObject>> refusal) {
        return new GuardedConnection(socket, errorPayload, config.maxSubscriptionsPerConnection(),
                config.maxWriteQueueBytes(), slowClosed, refusal);
    }

    /**
     * Counts a new connection among the unauthenticated ones and starts its init deadline; null (and the connection
     * closed with 1013) if the instance holds the most already.
     */
    public Admitted admit(Vertx vertx, GuardedConnection connection) {
        SubscriptionConnections.Lease lease = new SubscriptionConnections.Lease();
        if (!connections.admitUnauthenticated(lease)) {
            closedOverUnauthenticatedLimit.increment();
            connection.close(CloseCodes.TRY_AGAIN_LATER, "At most " + config.maxUnauthenticatedConnections()
                    + " connections may wait for connection_init; try again later");
            return null;
        }
        // A fixed deadline from the upgrade, not an idle timeout: pings (which the protocol allows before
        // connection_init) do not extend it.
        long initDeadline = vertx.setTimer(config.connectionInitTimeout().toMillis(), fired -> {
            if (!lease.held() && !connection.isClosed()) {
                closedAtInitTimeout.increment();
                connection.close(CloseCodes.INIT_TIMEOUT, "Connection initialisation timeout");
            }
        });
        open.incrementAndGet();
        return new Admitted(vertx, connection, lease, initDeadline);
    }

    /** One admitted connection's place in the counts, released once when it closes. */
    public final class Admitted {
        private final Vertx vertx;
        private final GuardedConnection connection;
        private final SubscriptionConnections.Lease lease;
        private final long initDeadline;

        private Admitted(Vertx vertx, GuardedConnection connection, SubscriptionConnections.Lease lease,
                long initDeadline) {
            this.vertx = vertx;
            this.connection = connection;
            this.lease = lease;
            this.initDeadline = initDeadline;
        }

        /**
         * Asked just before the connection is acknowledged, when its user is known (null: not signed in, which is
         * acknowledged but stays unauthenticated and is closed at the init deadline). The connection now counts
         * against that user; false, and closed with 4029, if they hold the most already.
         */
        public boolean acknowledge(String user) {
            if (user == null) {
                return true;
            }
            if (connections.acquire(user, lease)) {
                vertx.cancelTimer(initDeadline);
                return true;
            }
            if (!connection.isClosed()) {
                closedOverUserLimit.increment();
                connection.close(CloseCodes.TOO_MANY_CONNECTIONS, "At most " + config.maxConnectionsPerUser()
                        + " subscription connections per user");
            }
            return false;
        }

        /** The connection closed. */
        public void release() {
            open.decrementAndGet();
            vertx.cancelTimer(initDeadline);
            connections.release(lease);
        }
    }
}
