package dev.appliancesync.realtime.websocket;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.appliancesync.common.graphql.OperationGate;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.ext.web.Router;

/** Puts {@link GuardedGraphQLWebSocketHandler} in front of Quarkus's own WebSocket route on the GraphQL path. */
@ApplicationScoped
public class GraphQLWebSocketRoute {

    /**
     * After authentication (-200) and before Quarkus's GraphQL WebSocket route (-99). This skips the HTTP
     * authorization step (-100), which only path permission policies use; this service configures none.
     */
    private static final int ORDER = -101;

    private final GuardedGraphQLWebSocketHandler handler;
    private final String rootPath;

    public GraphQLWebSocketRoute(CurrentIdentityAssociation identity, CurrentVertxRequest request,
            @ConfigProperty(name = "quarkus.smallrye-graphql.root-path") String rootPath,
            @ConfigProperty(name = "quarkus.smallrye-graphql.authorization-client-init-payload-name")
            Optional<String> initPayloadTokenName,
            ConnectionAdmission admission, OperationGate operations, LiveSelections selections,
            @ConfigProperty(name = "quarkus.http.websocket-server.max-message-size") int maxMessageBytes) {
        this.rootPath = rootPath;
        this.handler = new GuardedGraphQLWebSocketHandler(identity, request, initPayloadTokenName, admission,
                operations, selections, maxMessageBytes);
    }

    void install(@Observes Router router) {
        router.route(rootPath).order(ORDER).handler(ctx -> {
            if (GuardedGraphQLWebSocketHandler.isUpgrade(ctx)) {
                handler.handle(ctx);
            } else {
                ctx.next();
            }
        });
    }
}
