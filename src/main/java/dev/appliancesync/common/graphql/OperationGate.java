package dev.appliancesync.common.graphql;

import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import graphql.parser.InvalidSyntaxException;
import io.vertx.core.json.JsonObject;

/**
 * Decides whether an operation started on a WebSocket may run, whichever protocol carried it (graphql-transport-ws,
 * graphql-ws, AppSync's): its document must parse (else GRAPHQL_PARSE_FAILED) and pass the request limits (depth,
 * cost, its caller's rate), as a query over HTTP does in {@link GraphQLRequestGuard}.
 */
@ApplicationScoped
public class OperationGate {

    private final CostedDocuments documents;
    private final RequestLimits limits;

    public OperationGate(CostedDocuments documents, RequestLimits limits) {
        this.documents = documents;
        this.limits = limits;
    }

    /**
     * The error to refuse the operation with, or empty to run it (its cost is then charged to {@code caller}).
     *
     * @param request the GraphQL request: {@code query}, and optionally {@code operationName} and {@code variables}
     */
    public Optional<JsonObject> refusal(String caller, JsonObject request) {
        if (!(request.getValue("query") instanceof String query)) {
            return Optional.empty(); // the protocol's own check answers a request without a document
        }
        CostedDocuments.Costed costed;
        try {
            costed = documents.cost(query, request.getValue("operationName") instanceof String name ? name : null,
                    request.getValue("variables") instanceof JsonObject variables ? variables.getMap() : Map.of());
        } catch (InvalidSyntaxException e) {
            return Optional.of(GraphQLDocumentParser.parseFailed(e));
        }
        return limits.admit(caller, costed.cost()).map(RequestLimits::error);
    }
}
