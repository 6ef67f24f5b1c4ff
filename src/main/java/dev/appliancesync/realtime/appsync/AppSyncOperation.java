package dev.appliancesync.realtime.appsync;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.jboss.logging.Logger;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

import dev.appliancesync.common.error.ErrorCode;
import dev.appliancesync.realtime.websocket.GuardedConnection;
import dev.appliancesync.realtime.websocket.LiveOperation;
import graphql.ExecutionResult;
import io.quarkus.arc.InjectableContext.ContextState;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * One started operation on an AppSync connection, and the subscriber of its results. A result goes out as
 * {@code data}; one with errors (ACCESS_REVOKED, CURSOR_EXPIRED, SLOW_CONSUMER: our subscriptions only err as they end,
 * decided for that delivery) as AppSync's {@code error}, which ends the operation: Amplify surfaces an error message,
 * while it would hand errors inside a data message to the app as if they were data. It ends once: by that, by stop, or by the connection
 * closing, and its request context goes with it.
 */
final class AppSyncOperation implements Subscriber<ExecutionResult> {

    private static final Logger LOG = Logger.getLogger(AppSyncOperation.class);

    private final String id;
    private final GuardedConnection connection;
    private final OperationIdentity identities;
    private final Map<String, AppSyncOperation> running;
    private final AtomicReference<Subscription> subscription = new AtomicReference<>();
    private final AtomicReference<ContextState> state = new AtomicReference<>();
    /** The stream serving it on the multiplexed path instead of SmallRye's, if it is served there. */
    private final AtomicReference<LiveOperation> live = new AtomicReference<>();
    private final AtomicBoolean ended = new AtomicBoolean();

    AppSyncOperation(String id, GuardedConnection connection, OperationIdentity identities,
            Map<String, AppSyncOperation> running) {
        this.id = id;
        this.connection = connection;
        this.identities = identities;
        this.running = running;
    }

    String id() {
        return id;
    }

    void runsIn(ContextState operationState) {
        state.set(operationState);
        if (ended.get()) {
            release();
        }
    }

    /** Served on the multiplexed path by {@code served}, which it ends with it; call before starting it. */
    void servedBy(LiveOperation served) {
        live.set(served);
        if (ended.get()) {
            served.cancel();
        }
    }

    /** A query or mutation's one response: data, then complete. */
    void answerOnce(JsonObject response) {
        if (end()) {
            connection.sendMessage(AppSyncMessages.data(id, response));
            connection.sendMessage(AppSyncMessages.complete(id));
        }
    }

    void failWith(JsonArray graphqlErrors) {
        if (end()) {
            connection.sendMessage(AppSyncMessages.error(id, graphqlErrors));
        }
    }

    void fail(ErrorCode code, String message) {
        if (end()) {
            connection.sendMessage(AppSyncMessages.error(id, code, message));
        }
    }

    /** Ends it without a word (stop, which the connection answers, or the connection closing). */
    boolean end() {
        if (!ended.compareAndSet(false, true)) {
            return false;
        }
        running.remove(id, this);
        Subscription current = subscription.get();
        if (current != null) {
            current.cancel();
        }
        LiveOperation served = live.get();
        if (served != null) {
            served.cancel();
        }
        release();
        return true;
    }

    @Override
    public void onSubscribe(Subscription s) {
        subscription.set(s);
        if (ended.get()) {
            s.cancel();
        } else {
            s.request(1);
        }
    }

    @Override
    public void onNext(ExecutionResult result) {
        if (ended.get()) {
            return;
        }
        String response = SmallRyeExecutionAdapter.text(result);
        if (!result.getErrors().isEmpty()) {
            failWith(new JsonObject(response).getJsonArray("errors"));
            return;
        }
        connection.sendMessage(AppSyncMessages.data(id, response));
        subscription.get().request(1);
    }

    @Override
    public void onError(Throwable failure) {
        LOG.warnf(failure, "AppSync subscription %s failed", id);
        fail(ErrorCode.INTERNAL, "Internal error; see the server log");
    }

    @Override
    public void onComplete() {
        if (end()) {
            connection.sendMessage(AppSyncMessages.complete(id));
        }
    }

    private void release() {
        ContextState held = state.getAndSet(null);
        if (held != null) {
            identities.end(held);
        }
    }
}
