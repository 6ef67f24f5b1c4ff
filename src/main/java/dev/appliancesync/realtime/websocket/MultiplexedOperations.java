package dev.appliancesync.realtime.websocket;

import static io.smallrye.graphql.JsonProviderHolder.JSON_PROVIDER;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.quarkus.security.identity.SecurityIdentity;

/**
 * The subscriptions of one graphql-transport-ws or graphql-ws connection that are served on the multiplexed path
 * rather than by SmallRye (see {@link LiveSelections}, {@link LiveOperation}): each writes its items as the protocol's
 * data message, {@code {"type":"next"|"data","id":…,"payload":…}}, and ends as SmallRye ends one (an error's payload
 * as a data message, then complete). Everything else on the connection (other operations, pings, complete of
 * SmallRye's operations) goes to SmallRye as before.
 */
final class MultiplexedOperations {

    private final LiveSelections selections;
    private final GuardedConnection connection;
    private final LiveOperation.Framing framing;
    /** Open operations by id; created with the first (most connections of other kinds never have one). */
    private volatile Map<String, LiveOperation> open;

    MultiplexedOperations(LiveSelections selections, GuardedConnection connection, boolean legacyProtocol) {
        this.selections = selections;
        this.connection = connection;
        this.framing = new Framing(legacyProtocol ? "data" : "next");
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
        Map<String, LiveOperation> operations = open;
        if (operations != null) {
            operations.values().forEach(LiveOperation::cancel);
            operations.clear();
        }
    }

    private boolean subscribe(ClientMessage message) {
        String id = message.id();
        Map<String, LiveOperation> operations = open;
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
        SecurityIdentity signedIn = connection.signedIn();
        if (signedIn == null || signedIn.isAnonymous()) {
            return false; // SmallRye answers UNAUTHENTICATED as it always has
        }
        Optional<LiveSelection> prepared = selections.prepare(message.request());
        if (prepared.isEmpty()) {
            return false;
        }
        LiveOperation operation = selections.operation(prepared.get(), signedIn, connection, id, framing,
                ended -> open.remove(id, ended));
        if (operation == null) {
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
        operations.put(id, operation);
        operation.start();
        return true;
    }

    private boolean complete(String id) {
        Map<String, LiveOperation> operations = open;
        LiveOperation operation = operations == null ? null : operations.remove(id);
        if (operation == null) {
            return false;
        }
        operation.cancel(); // as SmallRye does: no message back
        return true;
    }

    /** graphql-transport-ws ({@code next}) or graphql-ws ({@code data}): an error ends as SmallRye ends it. */
    private record Framing(String dataType) implements LiveOperation.Framing {

        @Override
        public String dataPrefix(String id) {
            String head = JSON_PROVIDER.createObjectBuilder().add("type", dataType).add("id", id).build().toString();
            return head.substring(0, head.length() - 1) + ",\"payload\":";
        }

        @Override
        public List<String> ending(String id, String dataPrefix, String failure) {
            String complete = JSON_PROVIDER.createObjectBuilder().add("type", "complete").add("id", id).build()
                    .toString();
            return failure == null ? List.of(complete) : List.of(dataPrefix + failure + "}", complete);
        }
    }
}
