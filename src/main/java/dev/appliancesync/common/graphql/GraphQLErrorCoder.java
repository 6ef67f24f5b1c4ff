package dev.appliancesync.common.graphql;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

import org.eclipse.microprofile.graphql.GraphQLException;
import org.jboss.logging.Logger;

import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import graphql.ErrorClassification;
import graphql.ErrorType;
import graphql.ExceptionWhileDataFetching;
import graphql.GraphQLError;
import graphql.schema.CoercingParseLiteralException;
import graphql.schema.CoercingParseValueException;
import graphql.validation.ValidationError;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;

/**
 * The one place that turns any GraphQL error into what a client receives: a stable {@code extensions.code},
 * a message meant for people, and never a stack trace or an internal class name.
 */
final class GraphQLErrorCoder {

    private static final Logger LOG = Logger.getLogger(GraphQLErrorCoder.class);
    private static final String INTERNAL_MESSAGE = "Internal error; it has been logged";
    private static final String VALIDATION_MESSAGE = "The request does not validate against the schema";
    private static final ErrorClassification QUERY_LIMITS = ErrorClassification.errorClassification("QueryLimits");

    private GraphQLErrorCoder() {
    }

    private static GraphQLError code(GraphQLError error, ArgumentErrorMessages messages) {
        if (error instanceof CodedGraphQLError) {
            return error;
        }
        if (error instanceof ExceptionWhileDataFetching fetching) {
            return fromException(error, unwrap(fetching.getException()), messages);
        }
        ErrorClassification type = error.getErrorType();
        if (type == ErrorType.InvalidSyntax) {
            return coded(error, ErrorCode.GRAPHQL_PARSE_FAILED, error.getMessage(), Map.of());
        }
        if (error instanceof ValidationError || type == ErrorType.ValidationError) {
            return coded(error, ErrorCode.GRAPHQL_VALIDATION_FAILED, validationMessage(error, messages), Map.of());
        }
        if (type == ErrorType.ExecutionAborted) {
            // Quarkus answers HTTP 500 to an ExecutionAborted error; a query over our limits is the client's doing.
            return new CodedGraphQLError(error.getMessage(), error.getLocations(), error.getPath(), QUERY_LIMITS,
                    Map.of("code", ErrorCode.QUERY_TOO_COMPLEX.name()));
        }
        if (type == ErrorType.OperationNotSupported) {
            return coded(error, ErrorCode.BAD_REQUEST, error.getMessage(), Map.of());
        }
        LOG.errorf("GraphQL error without a mapping (%s): %s", type, error.getMessage());
        return coded(error, ErrorCode.INTERNAL, INTERNAL_MESSAGE, Map.of());
    }

    private static String validationMessage(GraphQLError error, ArgumentErrorMessages messages) {
        return messages.rewrite(error.getMessage(), error.getPath()).orElseGet(() -> {
            String clean = ArgumentErrorMessages.clean(error.getMessage(), VALIDATION_MESSAGE);
            if (clean == VALIDATION_MESSAGE) {
                LOG.debugf("Validation message replaced, as it shows internals: %s", error.getMessage());
            }
            return clean;
        });
    }

    private static GraphQLError fromException(GraphQLError error, Throwable cause, ArgumentErrorMessages messages) {
        if (cause instanceof ApiException api) {
            return coded(error, api.code(), api.getMessage(), api.extensions());
        }
        if (cause instanceof CoercingParseValueException || cause instanceof CoercingParseLiteralException) {
            // An argument the engine let through but the resolver could not read: still the client's mistake.
            return coded(error, ErrorCode.GRAPHQL_VALIDATION_FAILED, messages.rewrite(cause.getMessage(),
                    error.getPath()).orElse("An argument of " + error.getPath() + " has a value of the wrong type"),
                    Map.of());
        }
        if (cause instanceof UnauthorizedException || cause instanceof AuthenticationFailedException) {
            return coded(error, ErrorCode.UNAUTHENTICATED, ApiException.unauthenticated().getMessage(), Map.of());
        }
        if (cause instanceof ForbiddenException) {
            return coded(error, ErrorCode.FORBIDDEN, "Not allowed", Map.of());
        }
        LOG.errorf(cause, "Unexpected failure at %s", error.getPath());
        return coded(error, ErrorCode.INTERNAL, INTERNAL_MESSAGE, Map.of());
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable current = failure;
        while ((current instanceof CompletionException || current instanceof ExecutionException
                || current instanceof GraphQLException) && current.getCause() != null) {
            current = current.getCause();
        }
        return current;
    }

    private static GraphQLError coded(GraphQLError original, ErrorCode code, String message,
            Map<String, Object> extensions) {
        Map<String, Object> all = new LinkedHashMap<>(extensions);
        all.put("code", code.name());
        return new CodedGraphQLError(message, original.getLocations(), original.getPath(), original.getErrorType(),
                all);
    }

    /**
     * Codes every error, once: two of graphql-java's errors about the same mistake (a null literal for a non-null
     * argument is reported by two rules) become one, and a null in a non-null field is left out where another error
     * at that path already explains it (a refused argument leaves its field without a value).
     */
    static List<GraphQLError> codeAll(List<GraphQLError> errors, ArgumentErrorMessages messages) {
        Set<List<Object>> explainedPaths = errors.stream()
                .filter(error -> error.getErrorType() != ErrorType.NullValueInNonNullableField
                        && error.getPath() != null)
                .map(GraphQLError::getPath).collect(Collectors.toSet());
        Map<List<Object>, GraphQLError> distinct = new LinkedHashMap<>();
        for (GraphQLError error : errors) {
            if (error.getErrorType() == ErrorType.NullValueInNonNullableField
                    && explainedPaths.contains(error.getPath())) {
                continue;
            }
            GraphQLError coded = code(error, messages);
            distinct.putIfAbsent(Arrays.asList(coded.getMessage(), coded.getPath(), coded.getExtensions()), coded);
        }
        return List.copyOf(distinct.values());
    }
}
