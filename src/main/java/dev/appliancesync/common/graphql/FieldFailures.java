package dev.appliancesync.common.graphql;

import java.util.List;

import graphql.ExceptionWhileDataFetching;
import graphql.GraphQLError;
import graphql.execution.ResultPath;
import graphql.language.SourceLocation;

/**
 * The error of a root field whose resolver failed, coded as every response's errors are ({@link GraphQLErrorCoder}):
 * for a path that answers without the engine (the multiplexed subscriptions) and must answer alike.
 */
public final class FieldFailures {

    private FieldFailures() {
    }

    /** The error for {@code failure} of the field at {@code location}, answered under {@code resultKey}. */
    public static GraphQLError of(Throwable failure, SourceLocation location, String resultKey) {
        GraphQLError raw = new ExceptionWhileDataFetching(ResultPath.rootPath().segment(resultKey), failure, location);
        // No argument messages: those are for validation errors, which this never is.
        return GraphQLErrorCoder.codeAll(List.of(raw), null).get(0);
    }
}
