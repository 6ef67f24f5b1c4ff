package dev.appliancesync.common.graphql;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import graphql.ErrorClassification;
import graphql.GraphQLError;
import graphql.GraphqlErrorHelper;
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

    /**
     * The error as clients receive it: graphql-java's default adds {@code extensions.classification}, the engine's
     * own name for the kind of error, which is not part of our contract ({@code extensions.code} is).
     */
    @Override
    public Map<String, Object> toSpecification() {
        Map<String, Object> specification = new LinkedHashMap<>();
        specification.put("message", message);
        if (locations != null && !locations.isEmpty()) {
            specification.put("locations", GraphqlErrorHelper.locations(locations));
        }
        if (path != null) {
            specification.put("path", path);
        }
        specification.put("extensions", extensions);
        return specification;
    }
}
