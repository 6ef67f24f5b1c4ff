package dev.appliancesync.realtime.appsync;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;
import org.reactivestreams.Publisher;

import dev.appliancesync.common.error.ErrorCode;
import dev.appliancesync.common.graphql.ApiCallers;
import dev.appliancesync.identity.SignedInPrincipal;
import dev.appliancesync.realtime.websocket.ConnectionAdmission;
import dev.appliancesync.realtime.websocket.GuardedConnection;
import dev.appliancesync.realtime.websocket.LiveOperation;
import dev.appliancesync.realtime.websocket.LiveSelections;
import graphql.ExecutionResult;
import io.quarkus.arc.InjectableContext.ContextState;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * One AppSync realtime connection: connection_init with the handshake's token, then start (each with its own
 * authorization, run as that principal), stop, and ka keep-alives. Its messages arrive on the socket's context;
 * results of verification and execution are brought back there or written from wherever they arrive (the socket's
 * writes are thread-safe).
 */
final class AppSyncConnection {

    private static final Logger LOG = Logger.getLogger(AppSyncConnection.class);
    /** Seconds since the epoch when the token expires (quarkus-oidc sets it). */
    private static final String EXPIRE_TIME = "quarkus.identity.expire-time";

    private final RoutingContext upgrade;
    private final Context socketContext;
    private final AppSyncHandshake handshake;
    private final GuardedConnection connection;
    private final ConnectionAdmission.Admitted admitted;
    private final AppSyncServices services;
    private final Map<String, List<String>> upgradeHeaders;
    private final Map<String, AppSyncOperation> operations = new ConcurrentHashMap<>();
    /** Set on the socket's context once connection_ack went out: the handshake's principal. */
    private SecurityIdentity connectionIdentity;
    private boolean initialising;
    private long keepAlive = -1;
    private long expiry = -1;

    AppSyncConnection(RoutingContext upgrade, Context socketContext, AppSyncHandshake handshake,
            GuardedConnection connection, ConnectionAdmission.Admitted admitted, AppSyncServices services) {
        this.upgrade = upgrade;
        this.socketContext = socketContext;
        this.handshake = handshake;
        this.connection = connection;
        this.admitted = admitted;
        this.services = services;
        this.upgradeHeaders = new ConcurrentHashMap<>();
        upgrade.request().headers().names()
                .forEach(name -> upgradeHeaders.put(name, upgrade.request().headers().getAll(name)));
    }

    void onMessage(String text) {
        JsonObject message;
        try {
            message = new JsonObject(text);
        } catch (DecodeException | ClassCastException e) {
            connection.sendMessage(AppSyncMessages.error(null, ErrorCode.BAD_REQUEST, "A message is a JSON object"));
            return;
        }
        String id = message.getValue("id") instanceof String s ? s : null;
        String type = message.getValue("type") instanceof String s ? s : "";
        switch (type) {
            case "connection_init" -> init();
            case "start" -> start(id, message.getValue("payload"));
            case "stop" -> stop(id);
            default -> connection.sendMessage(AppSyncMessages.error(id, ErrorCode.BAD_REQUEST,
                    "Unknown message type; expected connection_init, start or stop"));
        }
    }

    void closed() {
        if (keepAlive >= 0) {
            socketContext.owner().cancelTimer(keepAlive);
        }
        if (expiry >= 0) {
            socketContext.owner().cancelTimer(expiry);
        }
        List.copyOf(operations.values()).forEach(AppSyncOperation::end);
    }

    private void init() {
        if (initialising) {
            return; // AppSync answers one connection_init; a second changes nothing
        }
        initialising = true;
        services.tokens().verify(handshake.authorization(), upgrade).subscribe().with(
                identity -> socketContext.runOnContext(ignored -> acknowledge(identity)),
                failure -> socketContext.runOnContext(ignored -> refuse()));
    }

    private void acknowledge(SecurityIdentity identity) {
        if (connection.isClosed() || !admitted.acknowledge(SignedInPrincipal.of(identity).subject())) {
            return;
        }
        connectionIdentity = identity;
        AppSyncConfig config = services.config();
        connection.sendMessage(AppSyncMessages.connectionAck(config.connectionTimeout().toMillis()));
        connection.sendMessage(AppSyncMessages.KEEP_ALIVE);
        keepAlive = socketContext.owner().setPeriodic(config.keepAliveInterval().toMillis(), tick -> {
            if (!connection.isClosed()) {
                connection.sendMessage(AppSyncMessages.KEEP_ALIVE);
            }
        });
        closeWhenExpired(identity);
    }

    /**
     * As on our own protocols: the connection closes with 1008 when the handshake's token expires, and the client
     * reconnects with a fresh one (Amplify does: it fetches tokens again for the new handshake).
     */
    private void closeWhenExpired(SecurityIdentity identity) {
        Long expiresAt = identity.getAttribute(EXPIRE_TIME);
        if (expiresAt != null) {
            long delay = Math.max(1, expiresAt * 1000 - System.currentTimeMillis());
            expiry = socketContext.owner().setTimer(delay,
                    fired -> connection.close((short) 1008, "Authentication expired"));
        }
    }

    private void refuse() {
        connection.sendMessage(AppSyncMessages.connectionError(ErrorCode.UNAUTHENTICATED,
                "The handshake's Authorization header is missing or not a valid access token", 401));
        connection.close((short) 4401, "Unauthorized");
    }

    private void start(String id, Object payload) {
        if (id == null) {
            connection.sendMessage(AppSyncMessages.error(null, ErrorCode.BAD_REQUEST, "A start needs an id"));
            return;
        }
        if (connectionIdentity == null) {
            connection.sendMessage(AppSyncMessages.error(id, ErrorCode.BAD_REQUEST,
                    "Send connection_init and wait for connection_ack before start"));
            return;
        }
        JsonObject request = requestOf(payload);
        if (request == null) {
            connection.sendMessage(AppSyncMessages.error(id, ErrorCode.BAD_REQUEST,
                    "payload.data must be a GraphQL request ({\"query\": ...}) as a JSON string"));
            return;
        }
        AppSyncOperation operation = new AppSyncOperation(id, connection, services.identities(), operations);
        if (operations.putIfAbsent(id, operation) != null) {
            connection.sendMessage(AppSyncMessages.error(id, ErrorCode.BAD_REQUEST,
                    "An operation with this id is already running"));
            return;
        }
        String authorization = payload instanceof JsonObject start && start.getValue("extensions") instanceof JsonObject
                extensions && extensions.getValue("authorization") instanceof JsonObject headers
                        ? AppSyncHandshake.authorizationOf(headers)
                        : null;
        Uni<SecurityIdentity> principal = authorization == null ? Uni.createFrom().item(connectionIdentity)
                : services.tokens().verify(authorization, upgrade);
        principal.subscribe().with(
                identity -> socketContext.runOnContext(ignored -> execute(operation, request, identity)),
                failure -> socketContext.runOnContext(ignored -> operation.fail(ErrorCode.UNAUTHENTICATED,
                        "This start's authorization is not a valid access token")));
    }

    /** Ends the operation and answers complete (for an operation already ended too: the client asked, it is over). */
    private void stop(String id) {
        if (id == null) {
            connection.sendMessage(AppSyncMessages.error(null, ErrorCode.BAD_REQUEST, "A stop needs an id"));
            return;
        }
        AppSyncOperation operation = operations.get(id);
        if (operation != null) {
            operation.end();
        }
        connection.sendMessage(AppSyncMessages.complete(id));
    }

    /** The GraphQL request of a start: {@code payload.data}, a JSON string (AppSync's form) or an object. */
    private static JsonObject requestOf(Object payload) {
        if (!(payload instanceof JsonObject start)) {
            return null;
        }
        Object data = start.getValue("data");
        JsonObject request;
        try {
            request = data instanceof String json ? new JsonObject(json) : data instanceof JsonObject object ? object : null;
        } catch (DecodeException | ClassCastException e) {
            return null;
        }
        return request != null && request.getValue("query") instanceof String ? request : null;
    }

    private void execute(AppSyncOperation operation, JsonObject request, SecurityIdentity identity) {
        if (connection.isClosed() || operations.get(operation.id()) != operation) {
            return; // stopped while its token was checked
        }
        // Charged to this start's own principal, as its request over HTTP would be.
        Optional<JsonObject> refused = services.operations()
                .refusal(ApiCallers.userKey(SignedInPrincipal.of(identity).subject()), request);
        if (refused.isPresent()) {
            operation.failWith(new JsonArray().add(refused.get()));
            return;
        }
        if (servedLive(operation, request, identity)) {
            return;
        }
        ContextState state = services.identities().begin(identity);
        operation.runsIn(state);
        SmallRyeExecutionAdapter.Outcome outcome = new SmallRyeExecutionAdapter.Outcome() {
            @Override
            public void answered(ExecutionResult result, Supplier<JsonObject> json) {
                answer(operation, result, json);
            }

            @Override
            public void failed(Throwable failure) {
                LOG.warnf(failure, "AppSync operation %s failed", operation.id());
                operation.fail(ErrorCode.INTERNAL, "Internal error; see the server log");
            }
        };
        services.identities().within(state,
                () -> services.execution().execute(request, upgradeHeaders, state, outcome));
    }

    /**
     * Serves a subscription to a change-fed field on the multiplexed path, as our own protocols do
     * ({@code realtime.websocket.LiveSelections}): rendered once per group of subscribers who may see the same, not
     * executed per subscriber; each start still runs as its own principal, decided per delivery. False: SmallRye's.
     */
    private boolean servedLive(AppSyncOperation operation, JsonObject request, SecurityIdentity identity) {
        LiveSelections selections = services.selections();
        Optional<LiveOperation> served = selections.prepare(request).map(selection -> selections.operation(selection,
                identity, connection, operation.id(), AppSyncMessages.LIVE, ended -> operation.end()));
        if (served.isEmpty()) {
            return false;
        }
        operation.servedBy(served.get());
        connection.sendMessage(AppSyncMessages.startAck(operation.id()));
        served.get().start();
        return true;
    }

    private void answer(AppSyncOperation operation, ExecutionResult result, Supplier<JsonObject> json) {
        Object data = result.getData();
        if (data instanceof Publisher<?> stream) {
            connection.sendMessage(AppSyncMessages.startAck(operation.id()));
            @SuppressWarnings("unchecked")
            Publisher<ExecutionResult> results = (Publisher<ExecutionResult>) stream;
            results.subscribe(operation);
        } else if (data == null) {
            // Not executed (parse or validation errors, a subscription refused before its stream): AppSync's error.
            operation.failWith(json.get().getJsonArray("errors", new JsonArray()));
        } else {
            operation.answerOnce(json.get());
        }
    }
}
