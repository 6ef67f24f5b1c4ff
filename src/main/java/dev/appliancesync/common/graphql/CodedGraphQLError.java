package dev.appliancesync.common.graphql;

import java.util.List;
import java.util.Map;

import graphql.ErrorClassification;
import graphql.GraphQLError;
import graphql.language.SourceLocation;

/** A GraphQL error as we send it: message, location, path and extensions that always carry a code. */
record CodedGraphQLError(String message, List<SourceLocation> locations, List<Object> path,
        ErrorClassification classification, Map<String, Object> extensions) implements GraphQLError {

    @Override
    public String getMessage() {
        return message;
    }

    @Override
    public List<SourceLocation> getLocations() {
        return locations;
    }

    @Override
    public List<Object> getPath() {
        return path;
    }

    @Override
    public ErrorClassification getErrorType() {
        return classification;
    }

    @Override
    public Map<String, Object> getExtensions() {
        return extensions;
    }
}
