package dev.appliancesync.common.graphql;

import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.common.error.ErrorCode;
import graphql.language.Document;
import graphql.language.SourceLocation;
import graphql.parser.InvalidSyntaxException;
import graphql.parser.Parser;
import graphql.parser.ParserEnvironment;
import graphql.parser.ParserOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Parses documents with the engine's token limit, for the places that must answer a syntax error before SmallRye does
 * (SmallRye answers it itself, before any engine hook runs, so without {@code extensions.code}): the HTTP request
 * guard and the WebSocket subscribe check. Both answer with {@link #error}.
 */
@ApplicationScoped
public class GraphQLDocumentParser {

    private final ParserOptions parserOptions;

    public GraphQLDocumentParser(GraphQLLimitsConfig limits) {
        this.parserOptions = ParserOptions.getDefaultParserOptions()
                .transform(options -> options.maxTokens(limits.maxTokens()));
    }

    /** The parsed document; a syntax error, or more tokens than allowed, throws. */
    public Document parse(String document) throws InvalidSyntaxException {
        return new Parser().parseDocument(ParserEnvironment.newParserEnvironment().document(document)
                .parserOptions(parserOptions).build());
    }

    /** A GraphQL error as clients receive it: message, {@code extensions.code}, and the location if there is one. */
    public static JsonObject error(ErrorCode code, String message, SourceLocation location) {
        JsonObject error = new JsonObject().put("message", message)
                .put("extensions", new JsonObject(Map.of("code", code.name())));
        if (location != null) {
            error.put("locations", new JsonArray(List.of(
                    new JsonObject().put("line", location.getLine()).put("column", location.getColumn()))));
        }
        return error;
    }

    /** The error for a document that does not parse. */
    public static JsonObject parseFailed(InvalidSyntaxException e) {
        return error(ErrorCode.GRAPHQL_PARSE_FAILED, e.getMessage(), e.getLocation());
    }
}
