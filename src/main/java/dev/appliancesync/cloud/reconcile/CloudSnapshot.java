package dev.appliancesync.cloud.reconcile;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * What one user's cloud gates were when a converge ended, as far as it wrote or read them: the next converge may start
 * from here instead of reading them again. Only what this service owns: our policies (prefix) and the attributes it
 * sets.
 *
 * @param target the Cognito identity the attachments are of
 * @param username the user pool user the attributes are of
 * @param attached our policies attached to {@code target}
 * @param policies our policies that exist (attached or awaiting deletion), each with its default document and number
 *        of versions (null when not known)
 * @param attributes the attributes we set, with their values
 */
public record CloudSnapshot(String target, String username, Set<String> attached, Map<String, KnownPolicy> policies,
        Map<String, String> attributes) {

    /** A policy of ours: its default version's document and how many versions it has (null: not known). */
    public record KnownPolicy(String document, Integer versions) {
    }

    public CloudSnapshot {
        attached = Set.copyOf(attached);
        policies = Map.copyOf(policies);
        attributes = Map.copyOf(attributes);
    }

    /** Whether a converge of {@code desired} may start from this: the same identity and the same user. */
    public boolean describes(DesiredCloudAccess desired) {
        return target.equals(desired.target()) && java.util.Objects.equals(username, desired.username());
    }

    public JsonObject toJson() {
        JsonObject known = new JsonObject();
        new TreeMap<>(policies).forEach((name, policy) -> known.put(name, new JsonObject()
                .put("document", policy.document()).put("versions", policy.versions())));
        return new JsonObject().put("target", target).put("username", username)
                .put("attached", new JsonArray(java.util.List.copyOf(new TreeSet<>(attached))))
                .put("policies", known).put("attributes", new JsonObject(new TreeMap<>(attributes)));
    }

    /** The snapshot a column holds; null when there is none. */
    public static CloudSnapshot fromJson(JsonObject json) {
        if (json == null || json.getString("target") == null) {
            return null;
        }
        Set<String> attached = new TreeSet<>();
        json.getJsonArray("attached", new JsonArray()).forEach(name -> attached.add((String) name));
        Map<String, KnownPolicy> policies = new TreeMap<>();
        json.getJsonObject("policies", new JsonObject()).forEach(entry -> {
            JsonObject policy = (JsonObject) entry.getValue();
            policies.put(entry.getKey(), new KnownPolicy(policy.getString("document"), policy.getInteger("versions")));
        });
        Map<String, String> attributes = new TreeMap<>();
        json.getJsonObject("attributes", new JsonObject())
                .forEach(entry -> attributes.put(entry.getKey(), String.valueOf(entry.getValue())));
        return new CloudSnapshot(json.getString("target"), json.getString("username"), attached, policies, attributes);
    }
}
