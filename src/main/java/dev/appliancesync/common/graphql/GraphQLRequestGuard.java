package dev.appliancesync.common.graphql;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.appliancesync.common.error.ErrorCode;
import graphql.language.SourceLocation;
import graphql.parser.InvalidSyntaxException;
import graphql.parser.Parser;
import graphql.parser.ParserEnvironment;
import graphql.parser.ParserOptions;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Rejects HTTP requests whose body is not a GraphQL request, or whose document does not parse, with a coded error
 * and HTTP 400 (as the GraphQL-over-HTTP spec asks). SmallRye answers these itself before any engine hook runs,
 * with no {@code extensions.code}; everything that parses goes on to it unchanged.
 */
@ApplicationScoped
public class GraphQLRequestGuard {

    private static final String GRAPHQL_RESPONSE = "application/graphql-response+json; charset=UTF-8";
    /** Apps send the same few documents over and over: remember the ones that parsed instead of parsing again. */
    private static final int REMEMBERED_DOCUMENTS = 2_000;

    private final String rootPath;
    private final long maxBodyBytes;
    private final ParserOptions parserOptions;
    private final Set<String> parsedDocuments = ConcurrentHashMap.newKeySet();

    public GraphQLRequestGuard(@ConfigProperty(name = "quarkus.smallrye-graphql.root-path") String rootPath,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBody,
            GraphQLLimitsConfig limits) {
        this.rootPath = rootPath;
        this.maxBodyBytes = maxBody.asLongValue();
        this.parserOptions = ParserOptions.getDefaultParserOptions()
                .transform(options -> options.maxTokens(limits.maxTokens()));
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
        if (contentType != null && contentType.startsWith("application/graphql")) {
            document = ctx.body().asString();
        } else {
            JsonObject request;
            try {
                request = ctx.body().asJsonObject();
            } catch (DecodeException | ClassCastException e) {
                reject(ctx, ErrorCode.BAD_REQUEST, "The body must be a JSON object with a \"query\"", null);
                return;
            }
            Object query = request == null ? null : request.getValue("query");
            if (!(query instanceof String text) || text.isBlank()) {
                reject(ctx, ErrorCode.BAD_REQUEST, "The request has no \"query\" string", null);
                return;
            }
            document = text;
        }
        if (!parsedDocuments.contains(document)) {
            try {
                new Parser().parseDocument(ParserEnvironment.newParserEnvironment().document(document)
                        .parserOptions(parserOptions).build());
            } catch (InvalidSyntaxException e) {
                reject(ctx, ErrorCode.GRAPHQL_PARSE_FAILED, e.getMessage(), e.getLocation());
                return;
            }
            if (parsedDocuments.size() >= REMEMBERED_DOCUMENTS) {
                parsedDocuments.clear();
            }
            parsedDocuments.add(document);
        }
        ctx.next();
    }

    private static void reject(RoutingContext ctx, ErrorCode code, String message, SourceLocation location) {
        JsonObject error = new JsonObject().put("message", message)
                .put("extensions", new JsonObject(Map.of("code", code.name())));
        if (location != null) {
            error.put("locations", new JsonArray(List.of(
                    new JsonObject().put("line", location.getLine()).put("column", location.getColumn()))));
        }
        ctx.response().setStatusCode(400).putHeader(HttpHeaders.CONTENT_TYPE, GRAPHQL_RESPONSE)
                .end(new JsonObject().put("errors", new JsonArray().add(error)).encode());
    }
}
