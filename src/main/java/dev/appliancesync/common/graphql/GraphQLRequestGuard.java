package dev.appliancesync.common.graphql;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import graphql.language.OperationDefinition.Operation;
import graphql.parser.InvalidSyntaxException;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Rejects HTTP requests whose body is not a GraphQL request, whose document does not parse, or that ask for a
 * subscription (served over WebSocket only) with a coded error and HTTP 400 (as the GraphQL-over-HTTP spec asks).
 * SmallRye answers these itself before any engine hook runs, with no {@code extensions.code} (a subscription even
 * with 200 and {@code {"upstreamPublisher":{}}}). Then the request limits decide, before anything runs: a document
 * too deep or too costly gets QUERY_TOO_COMPLEX, a caller over their rate RATE_LIMITED (with a Retry-After header),
 * both with HTTP 200 as every other GraphQL error of this service. Everything else goes on to SmallRye unchanged.
 */
@ApplicationScoped
public class GraphQLRequestGuard {

    private static final String GRAPHQL_RESPONSE = "application/graphql-response+json; charset=UTF-8";
    static final String OVER_HTTP = "Subscriptions are served over WebSocket at %s (subprotocol graphql-transport-ws), "
            + "not over HTTP";

    private final String rootPath;
    private final long maxBodyBytes;
    private final CostedDocuments documents;
    private final RequestLimits limits;

    public GraphQLRequestGuard(@ConfigProperty(name = "quarkus.smallrye-graphql.root-path") String rootPath,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBody,
            CostedDocuments documents, RequestLimits limits) {
        this.rootPath = rootPath;
        this.maxBodyBytes = maxBody.asLongValue();
        this.documents = documents;
        this.limits = limits;
    }

    void install(@Observes Router router) {
        // Before SmallRye's route; its own body handler sees the body is already read and passes.
        router.post(rootPath).order(-1)
                .handler(BodyHandler.create().setBodyLimit(maxBodyBytes))
                .handler(this::check);
    }

    private void check(RoutingContext ctx) {
        String contentType = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        String document;
        String operationName = null;
        Map<String, Object> variables = Map.of();
        if (contentType != null && contentType.startsWith("application/graphql")) {
            document = ctx.body().asString();
        } else {
            JsonObject request;
            try {
                request = ctx.body().asJsonObject();
            } catch (DecodeException | ClassCastException e) {
                reject(ctx, badRequest("The body must be a JSON object with a \"query\""));
                return;
            }
            Object query = request == null ? null : request.getValue("query");
            if (!(query instanceof String text) || text.isBlank()) {
                reject(ctx, badRequest("The request has no \"query\" string"));
                return;
            }
            document = text;
            operationName = request.getValue("operationName") instanceof String name ? name : null;
            variables = request.getValue("variables") instanceof JsonObject given ? given.getMap() : Map.of();
        }
        CostedDocuments.Costed costed;
        try {
            costed = documents.cost(document, operationName, variables);
        } catch (InvalidSyntaxException e) {
            reject(ctx, GraphQLDocumentParser.parseFailed(e));
            return;
        }
        if (costed.operation() == Operation.SUBSCRIPTION) {
            reject(ctx, badRequest(OVER_HTTP.formatted(rootPath)));
            return;
        }
        Optional<ApiException> refused = limits.admit(ApiCallers.key(ctx), costed.cost());
        if (refused.isPresent()) {
            refuse(ctx, refused.get());
            return;
        }
        ctx.next();
    }

    /** What is remembered, for tests: what anyone who sends documents can make this instance keep. */
    Set<Object> rememberedKeys() {
        return documents.rememberedKeys();
    }

    boolean remembers(String document) {
        return documents.remembers(document);
    }

    private static void refuse(RoutingContext ctx, ApiException refusal) {
        if (refusal.extensions().get("retryAfter") instanceof Long seconds) {
            ctx.response().putHeader("Retry-After", Long.toString(seconds));
        }
        respond(ctx, 200, RequestLimits.error(refusal));
    }

    private static JsonObject badRequest(String message) {
        return GraphQLDocumentParser.error(ErrorCode.BAD_REQUEST, message, null);
    }

    private static void reject(RoutingContext ctx, JsonObject error) {
        respond(ctx, 400, error);
    }

    private static void respond(RoutingContext ctx, int status, JsonObject error) {
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, GRAPHQL_RESPONSE)
                .end(new JsonObject().put("errors", new JsonArray().add(error)).encode());
    }
}
