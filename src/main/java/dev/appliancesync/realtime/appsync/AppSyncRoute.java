package dev.appliancesync.realtime.appsync;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.appliancesync.common.graphql.OperationGate;
import dev.appliancesync.common.logging.RequestIds;
import dev.appliancesync.identity.AccessTokens;
import dev.appliancesync.realtime.websocket.ConnectionAdmission;
import dev.appliancesync.realtime.websocket.GuardedConnection;
import dev.appliancesync.realtime.websocket.LiveSelections;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * AppSync's realtime endpoint, {@code <graphql root>/realtime}, as AWS Amplify opens it: the graphql-ws subprotocol
 * with the headers in a {@code header-} subprotocol or in the query string. Its connections count against the same
 * limits as our own protocols' ({@link ConnectionAdmission}).
 */
@ApplicationScoped
public class AppSyncRoute {

    private static final Logger LOG = Logger.getLogger(AppSyncRoute.class);
    /** After authentication (-200), like the GraphQL WebSocket route. */
    private static final int ORDER = -101;
    private static final String SUBPROTOCOL = "graphql-ws";

    private final String path;
    private final ConnectionAdmission admission;
    private final AccessTokens tokens;
    private final OperationIdentity identities;
    private final SmallRyeExecutionAdapter execution;
    private final AppSyncConfig config;
    private final OperationGate operations;
    private final LiveSelections selections;

    public AppSyncRoute(@ConfigProperty(name = "quarkus.smallrye-graphql.root-path") String rootPath,
            ConnectionAdmission admission, AccessTokens tokens, OperationIdentity identities,
            SmallRyeExecutionAdapter execution, AppSyncConfig config, OperationGate operations,
            LiveSelections selections) {
        if (config.keepAliveInterval().compareTo(config.connectionTimeout()) >= 0) {
            throw new IllegalStateException("appliance-sync.appsync.keep-alive-interval must be shorter than "
                    + "appliance-sync.appsync.connection-timeout, or clients reconnect between keep-alives");
        }
        this.path = rootPath + "/realtime";
        this.admission = admission;
        this.tokens = tokens;
        this.identities = identities;
        this.execution = execution;
        this.config = config;
        this.operations = operations;
        this.selections = selections;
    }

    void install(@Observes Router router) {
        router.route(path).order(ORDER).handler(ctx -> {
            if (ctx.request().headers().contains(HttpHeaders.UPGRADE, HttpHeaders.WEBSOCKET, true)
                    && !ctx.request().isEnded()) {
                upgrade(ctx);
            } else {
                ctx.next();
            }
        });
    }

    private void upgrade(RoutingContext ctx) {
        AppSyncHandshake handshake = AppSyncHandshake.of(ctx.request());
        ctx.request().toWebSocket().onComplete(upgraded -> {
            if (upgraded.failed()) {
                LOG.debugf("AppSync WebSocket upgrade failed: %s", upgraded.cause().getMessage());
                return;
            }
            ServerWebSocket socket = upgraded.result();
            if (!SUBPROTOCOL.equals(socket.subProtocol())) {
                socket.close((short) 4406, "Subprotocol must be graphql-ws");
                return;
            }
            // Each start is checked against the request limits by its own principal (AppSyncConnection), not here.
            GuardedConnection connection = admission.guard(socket, AppSyncMessages::errorPayload,
                    (signedIn, payload) -> Optional.empty());
            Vertx vertx = ctx.vertx();
            ConnectionAdmission.Admitted admitted = admission.admit(vertx, connection);
            if (admitted == null) {
                return;
            }
            String requestId = RequestIds.of(ctx);
            Context socketContext = Vertx.currentContext() != null ? Vertx.currentContext() : vertx.getOrCreateContext();
            AppSyncConnection appSync = new AppSyncConnection(ctx, socketContext, handshake, connection, admitted,
                    new AppSyncServices(tokens, identities, execution, config, operations, selections));
            socket.closeHandler(closed -> {
                admitted.release();
                appSync.closed();
            });
            socket.exceptionHandler(failure -> LOG.debugf("AppSync WebSocket error: %s", failure.getMessage()));
            socket.textMessageHandler(text -> {
                if (connection.countOperations(text)) {
                    RequestIds.duringOperation(requestId, GuardedConnection.operationId(text),
                            () -> appSync.onMessage(text));
                }
            });
        });
    }
}
