package dev.appliancesync.common.graphql;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.appliancesync.common.error.ErrorCode;
import graphql.language.Document;
import graphql.language.OperationDefinition;
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
 * with 200 and {@code {"upstreamPublisher":{}}}); everything else goes on to it unchanged.
 */
@ApplicationScoped
public class GraphQLRequestGuard {

    private static final String GRAPHQL_RESPONSE = "application/graphql-response+json; charset=UTF-8";
    /**
     * Apps send the same few documents over and over: remember the ones that passed instead of parsing again. By
     * their SHA-256, not their text: anyone, signed in or not, chooses what is remembered, and 2,000 documents of the
     * largest body allowed would pin hundreds of megabytes; 2,000 digests pin about 200 KB.
     */
    static final int REMEMBERED_DOCUMENTS = 2_000;
    static final String OVER_HTTP = "Subscriptions are served over WebSocket at %s (subprotocol graphql-transport-ws), "
            + "not over HTTP";

    private final String rootPath;
    private final long maxBodyBytes;
    private final GraphQLDocumentParser parser;
    private final Set<DocumentDigest> passedDocuments = ConcurrentHashMap.newKeySet();

    public GraphQLRequestGuard(@ConfigProperty(name = "quarkus.smallrye-graphql.root-path") String rootPath,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBody,
            GraphQLDocumentParser parser) {
        this.rootPath = rootPath;
        this.maxBodyBytes = maxBody.asLongValue();
        this.parser = parser;
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
        }
        DocumentDigest digest = DocumentDigest.of(document);
        if (!passedDocuments.contains(digest)) {
            Document parsed;
            try {
                parsed = parser.parse(document);
            } catch (InvalidSyntaxException e) {
                reject(ctx, GraphQLDocumentParser.parseFailed(e));
                return;
            }
            List<OperationDefinition> operations = parsed.getDefinitionsOfType(OperationDefinition.class);
            if (chosen(operations, operationName).filter(o -> o.getOperation() == Operation.SUBSCRIPTION).isPresent()) {
                reject(ctx, badRequest(OVER_HTTP.formatted(rootPath)));
                return;
            }
            // A document with a subscription is checked again each time: which operation runs depends on the request.
            if (operations.stream().noneMatch(o -> o.getOperation() == Operation.SUBSCRIPTION)) {
                if (passedDocuments.size() >= REMEMBERED_DOCUMENTS) {
                    passedDocuments.clear();
                }
                passedDocuments.add(digest);
            }
        }
        ctx.next();
    }

    /** The operation the request runs, as the engine picks it; empty when the engine will refuse the choice. */
    private static Optional<OperationDefinition> chosen(List<OperationDefinition> operations, String operationName) {
        if (operationName == null) {
            return operations.size() == 1 ? Optional.of(operations.get(0)) : Optional.empty();
        }
        return operations.stream().filter(o -> operationName.equals(o.getName())).findFirst();
    }

    /** What is remembered, for tests: what anyone who sends documents can make this instance keep. */
    Set<Object> rememberedKeys() {
        return Set.copyOf(passedDocuments);
    }

    boolean remembers(String document) {
        return passedDocuments.contains(DocumentDigest.of(document));
    }

    private static JsonObject badRequest(String message) {
        return GraphQLDocumentParser.error(ErrorCode.BAD_REQUEST, message, null);
    }

    private static void reject(RoutingContext ctx, JsonObject error) {
        ctx.response().setStatusCode(400).putHeader(HttpHeaders.CONTENT_TYPE, GRAPHQL_RESPONSE)
                .end(new JsonObject().put("errors", new JsonArray().add(error)).encode());
    }
}
