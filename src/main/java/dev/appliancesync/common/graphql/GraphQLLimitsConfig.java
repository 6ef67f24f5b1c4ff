package dev.appliancesync.common.graphql;

import io.smallrye.config.ConfigMapping;

/** Limits that keep one request from taking the service down; set in application.properties, which hands them to SmallRye. */
@ConfigMapping(prefix = "appliance-sync.graphql")
public interface GraphQLLimitsConfig {

    /** Deepest selection nesting a document may have. */
    int maxDepth();

    /** Most fields a document may select, counted by graphql-java's complexity (one per field). */
    int maxComplexity();

    /** Most grammar tokens a document may have before parsing stops. */
    int maxTokens();
}
