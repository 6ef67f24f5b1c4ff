package dev.appliancesync.realtime.websocket;

import static io.smallrye.graphql.JsonProviderHolder.JSON_PROVIDER;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.function.Function;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import dev.appliancesync.common.graphql.FieldFailures;
import dev.appliancesync.identity.Caller;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.MultiSubscriber;

/**
 * The subscriptions of one connection that are served here rather than by SmallRye (see {@link LiveSelections}):
 * each writes its items as the protocol's data message, {@code {"type":…,"id":…,"payload":…}}, the payload rendered
 * once per item and group and shared, only the prefix with the operation id its own. What one holds while nothing
 * happens: its prefix, its selection (shared) and its stream's subscription. Everything else on the connection
 * (other operations, pings, complete of SmallRye's operations) goes to SmallRye as before.
 */
final class MultiplexedOperations {

    private static final Logger LOG = Logger.getLogger(MultiplexedOperations.class);

    private final LiveSelections selections;
    private final GuardedConnection connection;
    private final String dataType;
    /** The connection's signed-in identity now, or null. */
    private final Supplier<SecurityIdentity> identity;
    private final Function<SecurityIdentity, Uni<Caller>> callers;
    /** Open operations by id; created with the first (most connections of other kinds never have one). */
    private volatile Map<String, Operation> open;

    MultiplexedOperations(LiveSelections selections, GuardedConnection connection, boolean legacyProtocol,
            Supplier<SecurityIdentity> identity, Function<SecurityIdentity, Uni<Caller>> callers) {
        this.selections = selections;
        this.connection = connection;
        this.dataType = legacyProtocol ? "data" : "next";
        this.identity = identity;
        this.callers = callers;
    }

    /**
     * Takes a message SmallRye would otherwise handle, if it is this path's: a subscribe it serves, a second
     * subscribe or a complete of an operation it serves. False: SmallRye's.
     */
    boolean take(ClientMessage message) {
        return switch (message.type()) {
            case "subscribe", "start" -> subscribe(message);
            case "complete", "stop" -> complete(message.id());
            default -> false;
        };
    }

    /** The connection closed: every operation here ends. */
    void closeAll() {
        Map<String, Operation> operations = open;
        if (operations != null) {
            operations.values().forEach(Operation::cancel);
            operations.clear();
        }
    }

    private boolean subscribe(ClientMessage message) {
        String id = message.id();
        Map<String, Operation> operations = open;
        if (!message.starts()) {
            // Before the ack, or an id in use: SmallRye answers (4401, 4409), unless the id is in use here, which it
            // cannot know of.
            if (operations == null || !operations.containsKey(id)) {
                return false;
            }
            // SmallRye's answer for an id in use (graphql-transport-ws), which it cannot give: it never saw this one.
            connection.close((short) 4409, "Subscriber for " + id + " already exists");
            return true;
        }
        SecurityIdentity signedIn = identity.get();
        if (signedIn == null || signedIn.isAnonymous()) {
            return false; // SmallRye answers UNAUTHENTICATED as it always has
        }
        Optional<LiveSelection> prepared = selections.prepare(message.request());
        if (prepared.isEmpty()) {
            return false;
        }
        LiveSelection selection = prepared.get();
        Multi<?> items;
        try {
            items = selection.field().open(callers.apply(signedIn), selection.arguments());
        } catch (RuntimeException refused) {
            return false; // arguments the resolver refuses at once: SmallRye answers them as it always has
        }
        if (operations == null) {
            synchronized (this) {
                if (open == null) {
                    open = new ConcurrentHashMap<>(4);
                }
                operations = open;
            }
        }
        Operation operation = new Operation(id, selection);
        operations.put(id, operation);
        items.subscribe().withSubscriber(operation);
        return true;
    }

    private boolean complete(String id) {
        Map<String, Operation> operations = open;
        Operation operation = operations == null ? null : operations.remove(id);
        if (operation == null) {
            return false;
        }
        operation.cancel(); // as SmallRye does: no message back
        return true;
    }

    /** One subscription served here; it asks for one item at a time, as SmallRye's subscriber does. */
    private final class Operation implements MultiSubscriber<Object> {
        private final String id;
        private final LiveSelection selection;
        /** {@code {"type":"next","id":"…","payload":} with this operation's id. */
        private final String prefix;
        private volatile Flow.Subscription subscription;
        private volatile boolean cancelled;

        Operation(String id, LiveSelection selection) {
            this.id = id;
            this.selection = selection;
            String head = JSON_PROVIDER.createObjectBuilder().add("type", dataType).add("id", id).build().toString();
            this.prefix = head.substring(0, head.length() - 1) + ",\"payload\":";
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            if (cancelled) {
                subscription.cancel();
                return;
            }
            subscription.request(1);
        }

        @Override
        public void onItem(Object item) {
            if (connection.isClosed()) {
                return;
            }
            connection.sendMessage(selection.messageOf(item, prefix));
            subscription.request(1);
        }

        @Override
        public void onFailure(Throwable failure) {
            LOG.debugf("Subscription %s ended: %s", id, failure.getMessage());
            if (!connection.isClosed()) {
                connection.sendMessage(prefix + selection.errorPayload(
                        FieldFailures.of(failure, selection.location(), selection.resultKey())) + "}");
            }
            onCompletion();
        }

        @Override
        public void onCompletion() {
            Map<String, Operation> operations = open;
            if (operations != null && operations.remove(id, this) && !connection.isClosed()) {
                connection.sendMessage(JSON_PROVIDER.createObjectBuilder().add("type", "complete").add("id", id)
                        .build().toString());
            }
        }

        void cancel() {
            cancelled = true;
            Flow.Subscription current = subscription;
            if (current != null) {
                current.cancel();
            }
        }
    }
}
