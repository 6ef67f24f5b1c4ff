package dev.appliancesync.cloud.sync;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.appliancesync.cloud.policy.CompiledAccess;
import dev.appliancesync.cloud.policy.CompiledPolicy;
import dev.appliancesync.sharing.CloudSyncStatus;

/** One user's row of the outbox: what their cloud access should be, and how far AWS has got. */
public record CloudAccessState(UUID userId, String identityId, CloudSyncStatus status, long desiredGeneration,
        long appliedGeneration, String lastError, List<CompiledPolicy> policies, Map<String, String> principalTags) {

    public CompiledAccess desired() {
        return new CompiledAccess(policies, principalTags);
    }

    /** The {@code desired_policies} column: [{name, document}]. */
    static List<CompiledPolicy> policiesOf(Object column) {
        List<CompiledPolicy> policies = new java.util.ArrayList<>();
        if (column instanceof io.vertx.core.json.JsonArray desired) {
            for (int i = 0; i < desired.size(); i++) {
                io.vertx.core.json.JsonObject policy = desired.getJsonObject(i);
                policies.add(new CompiledPolicy(policy.getString("name"), policy.getString("document")));
            }
        }
        return policies;
    }

    /** The {@code desired_tags} column: {tag: value}. */
    static Map<String, String> tagsOf(Object column) {
        Map<String, String> tags = new java.util.TreeMap<>();
        if (column instanceof io.vertx.core.json.JsonObject desired) {
            desired.forEach(tag -> tags.put(tag.getKey(), String.valueOf(tag.getValue())));
        }
        return tags;
    }
}
