package dev.appliancesync.realtime.websocket;

import java.util.List;
import java.util.concurrent.Flow;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.jboss.logging.Logger;

import dev.appliancesync.common.graphql.FieldFailures;
import io.smallrye.mutiny.subscription.MultiSubscriber;

/**
 * One subscription served on the multiplexed path (see {@link LiveSelections}), in whichever protocol its connection
 * speaks ({@link Framing}: graphql-transport-ws and graphql-ws here, AppSync's realtime protocol in
 * {@code realtime.appsync}): each item is written as the protocol's data message, the payload rendered once per item
 * and group and shared, encoded once per operation id ({@link LiveSelection#messageOf}). It asks for
 * one item at a time, as SmallRye's subscriber does. What one holds while nothing happens: its prefix, its selection
 * (shared) and its stream's subscription.
 */
public final class LiveOperation implements MultiSubscriber<Object> {

    private static final Logger LOG = Logger.getLogger(LiveOperation.class);

    /** How a protocol frames one operation's messages. */
    public interface Framing {

        /**
         * A data message up to its payload, e.g. {@code {"type":"next","id":"1","payload":}; the payload (a GraphQL
         * response) and a closing brace follow.
         */
        String dataPrefix(String id);

        /**
         * What ends the operation: {@code failure} is the GraphQL response it fails with (the field null, the error,
         * as the engine answers it), or null when the stream completed.
         */
        List<String> ending(String id, String dataPrefix, String failure);
    }

    private final String id;
    private final LiveSelection selection;
    private final GuardedConnection connection;
    private final Framing framing;
    private final String prefix;
    /** The holder forgets the operation as its stream ends; false if it had ended already (stop, close). */
    private final Predicate<LiveOperation> endsHere;
    /**
     * Subscribes this to the stream, as its user (see {@link LiveSelections#operation}); dropped once it has: it holds
     * the stream as assembled (its sign-in and what it captured), which the subscription no longer needs.
     */
    private Consumer<LiveOperation> subscribe;
    private volatile Flow.Subscription subscription;
    private volatile boolean cancelled;

    LiveOperation(String id, LiveSelection selection, GuardedConnection connection, Framing framing,
            Predicate<LiveOperation> endsHere, Consumer<LiveOperation> subscribe) {
        this.id = id;
        this.selection = selection;
        this.connection = connection;
        this.framing = framing;
        this.prefix = framing.dataPrefix(id);
        this.endsHere = endsHere;
        this.subscribe = subscribe;
    }

    /** Starts the stream: call it once the holder knows the operation (it may end at once). */
    public void start() {
        Consumer<LiveOperation> once = subscribe;
        subscribe = null;
        once.accept(this);
    }

    /** Ends it without a word (the client stopped it, or the connection closed). */
    public void cancel() {
        cancelled = true;
        Flow.Subscription current = subscription;
        if (current != null) {
            current.cancel();
        }
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
        if (cancelled || connection.isClosed()) {
            return;
        }
        connection.sendMessage(selection.messageOf(item, prefix));
        subscription.request(1);
    }

    @Override
    public void onFailure(Throwable failure) {
        LOG.debugf("Subscription %s ended: %s", id, failure.getMessage());
        end(selection.errorPayload(FieldFailures.of(failure, selection.location(), selection.resultKey())));
    }

    @Override
    public void onCompletion() {
        end(null);
    }

    private void end(String failure) {
        if (endsHere.test(this) && !connection.isClosed()) {
            framing.ending(id, prefix, failure).forEach(connection::sendMessage);
        }
    }
}
