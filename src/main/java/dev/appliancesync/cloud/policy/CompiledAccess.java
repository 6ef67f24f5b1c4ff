package dev.appliancesync.cloud.policy;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A user's cloud access: the IoT policies for their identity and the principal tags (Cognito user attributes that the
 * identity pool maps to principal tags) that the identity-pool role gates on.
 */
public record CompiledAccess(List<CompiledPolicy> policies, Map<String, String> principalTags) {

    public CompiledAccess {
        policies = List.copyOf(policies);
        // Sorted so that equal access is equal in every representation (logs, GraphQL, snapshots).
        SortedMap<String, String> sorted = new TreeMap<>(principalTags);
        principalTags = Collections.unmodifiableSortedMap(sorted);
    }
}
