package dev.appliancesync.cloud.reconcile;

import static dev.appliancesync.cloud.gateway.CloudRejectedException.DELETE_CONFLICT;
import static dev.appliancesync.cloud.gateway.CloudRejectedException.RESOURCE_ALREADY_EXISTS;
import static dev.appliancesync.cloud.gateway.CloudRejectedException.RESOURCE_NOT_FOUND;
import static dev.appliancesync.cloud.gateway.CloudRejectedException.VERSIONS_LIMIT_EXCEEDED;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.cloud.gateway.CloudGateway;
import dev.appliancesync.cloud.gateway.CloudRejectedException;
import dev.appliancesync.cloud.gateway.PolicyState;
import dev.appliancesync.cloud.gateway.PolicyVersion;
import dev.appliancesync.cloud.policy.IotQuotas;

/**
 * Brings one user's cloud gates to the desired state with only the calls needed. Without a {@link CloudSnapshot} it
 * reads what the cloud has (attached policies, each desired policy, the user's attributes) rather than trusting what
 * it did last time, so a run after a crash, a lost response or a change made behind our back ends in the same state;
 * a run with nothing to change makes only reads. With the snapshot the last converge left (the common case: a share
 * or a revoke right after an earlier pass) it skips those reads and makes only the writes; should the cloud answer
 * that the snapshot was wrong (a policy missing or already there, no room for a version), it starts again reading
 * everything. Changes made behind our back are the drift check's: it converges without a snapshot.
 *
 * <p>Order: detach what is no longer desired first (a revocation takes effect before anything else, and frees
 * attachment slots under IoT Core's 10 per identity); then documents, attachments and attributes; deletion last,
 * since a detached policy already grants nothing. Policies without our prefix are never touched. Blocking, like the
 * gateway; not safe for two concurrent converges of one user (the caller serialises per user).
 */
@ApplicationScoped
public class CloudConverger {

    private static final Comparator<PolicyVersion> OLDEST_FIRST = Comparator.comparing(PolicyVersion::createdAt)
            .thenComparing(v -> Long.parseLong(v.versionId()));
    /** What tells a converge from a snapshot that the snapshot was wrong (anything else is a real refusal). */
    private static final Set<String> SNAPSHOT_WRONG = Set.of(RESOURCE_NOT_FOUND, RESOURCE_ALREADY_EXISTS,
            VERSIONS_LIMIT_EXCEEDED);

    private final CloudGateway gateway;

    public CloudConverger(CloudGateway gateway) {
        this.gateway = gateway;
    }

    /** Reading everything first. */
    public ConvergeResult converge(DesiredCloudAccess desired) {
        return converge(desired, null);
    }

    /** Starting from {@code last} (what the last converge left) when it describes this target; otherwise reading. */
    public ConvergeResult converge(DesiredCloudAccess desired, CloudSnapshot last) {
        CountingGateway cloud = new CountingGateway(gateway);
        if (last != null && last.describes(desired)) {
            try {
                return new Pass(cloud, desired, last).run();
            } catch (CloudRejectedException e) {
                if (!SNAPSHOT_WRONG.stream().anyMatch(e::is)) {
                    throw e;
                }
                // The cloud is not what we left: read it, as a converge without a snapshot does (calls counted).
            }
        }
        return new Pass(cloud, desired, null).run();
    }

    /** Only the user's attributes: a user with no Cognito identity linked has nothing to attach policies to yet. */
    public ConvergeResult attributesOnly(String username, Map<String, String> attributes) {
        CountingGateway cloud = new CountingGateway(gateway);
        updateAttributes(cloud, username, attributes, null);
        return new ConvergeResult(cloud.counts(), Set.of());
    }

    /** One converge: what it read or was told, what it wrote, and so what the cloud has afterwards. */
    private static final class Pass {
        private final CountingGateway cloud;
        private final DesiredCloudAccess desired;
        /** Null: read instead. */
        private final CloudSnapshot last;
        private final Map<String, CloudSnapshot.KnownPolicy> policies = new TreeMap<>();
        private final Set<String> attached = new TreeSet<>();

        Pass(CountingGateway cloud, DesiredCloudAccess desired, CloudSnapshot last) {
            this.cloud = cloud;
            this.desired = desired;
            this.last = last;
            if (last != null) {
                policies.putAll(last.policies());
            }
        }

        ConvergeResult run() {
            Set<String> found = last != null ? last.attached() : cloud.attachedPolicies(desired.target());
            Set<String> desiredNames = desired.policyNames();
            found.stream().filter(desired::isOurs).forEach(attached::add);

            Set<String> toDelete = new TreeSet<>();
            for (String name : found) {
                if (desired.isOurs(name) && !desiredNames.contains(name)) {
                    cloud.detachPolicy(name, desired.target());
                    attached.remove(name);
                    toDelete.add(name);
                }
            }
            for (DesiredPolicy policy : desired.policies()) {
                putDocument(policy);
            }
            for (DesiredPolicy policy : desired.policies()) {
                if (!found.contains(policy.name())) {
                    cloud.attachPolicy(policy.name(), desired.target());
                    attached.add(policy.name());
                }
            }
            Map<String, String> attributes = updateAttributes(cloud, desired.username(), desired.attributes(),
                    last == null ? null : last.attributes());

            desired.formerPolicies().stream().filter(name -> !desiredNames.contains(name)).forEach(toDelete::add);
            Set<String> awaitingDeletion = new TreeSet<>();
            for (String name : toDelete) {
                if (!delete(name)) {
                    awaitingDeletion.add(name);
                }
            }
            return new ConvergeResult(cloud.counts(), awaitingDeletion,
                    new CloudSnapshot(desired.target(), desired.username(), attached, policies, attributes));
        }

        /** The policy exists with the desired document as its default version. */
        private void putDocument(DesiredPolicy policy) {
            CloudSnapshot.KnownPolicy known = policies.get(policy.name());
            // A snapshot names each policy of ours that exists; one awaiting deletion without its document.
            Optional<String> current = last != null && (known == null || known.document() != null)
                    ? Optional.ofNullable(known).map(CloudSnapshot.KnownPolicy::document)
                    : cloud.policy(policy.name()).map(PolicyState::defaultDocument);
            Integer versions = known == null ? null : known.versions();
            if (current.isEmpty()) {
                try {
                    cloud.createPolicy(policy.name(), policy.document());
                    policies.put(policy.name(), new CloudSnapshot.KnownPolicy(policy.document(), 1));
                    return;
                } catch (CloudRejectedException e) {
                    // Our own earlier attempt may have created it and lost the answer: look again.
                    current = rethrowUnless(e, RESOURCE_ALREADY_EXISTS,
                            () -> cloud.policy(policy.name()).map(PolicyState::defaultDocument));
                    if (current.isEmpty()) {
                        throw e;
                    }
                    versions = null;
                }
            }
            if (PolicyDocuments.same(current.get(), policy.document())) {
                policies.put(policy.name(), new CloudSnapshot.KnownPolicy(current.get(), versions));
                return;
            }
            versions = makeRoomForVersion(policy.name(), versions);
            try {
                cloud.createDefaultVersion(policy.name(), policy.document());
            } catch (CloudRejectedException e) {
                // A version appeared since we listed them (ours, whose answer was lost and retried, or someone else's).
                Optional<PolicyState> now = rethrowUnless(e, VERSIONS_LIMIT_EXCEEDED, () -> cloud.policy(policy.name()));
                if (now.isPresent() && PolicyDocuments.same(now.get().defaultDocument(), policy.document())) {
                    policies.put(policy.name(), new CloudSnapshot.KnownPolicy(policy.document(), null));
                    return;
                }
                versions = makeRoomForVersion(policy.name(), null);
                cloud.createDefaultVersion(policy.name(), policy.document());
            }
            policies.put(policy.name(), new CloudSnapshot.KnownPolicy(policy.document(),
                    versions == null ? null : versions + 1));
        }

        /**
         * Below IoT Core's 5 versions per policy, by deleting the oldest versions that are not the default; listed
         * only when the number {@code known} is not known to leave room. Returns how many versions are left.
         */
        private Integer makeRoomForVersion(String name, Integer known) {
            if (known != null && known < IotQuotas.MAX_VERSIONS_PER_POLICY) {
                return known;
            }
            List<PolicyVersion> versions = cloud.policyVersions(name);
            int excess = Math.max(0, versions.size() - (IotQuotas.MAX_VERSIONS_PER_POLICY - 1));
            List<PolicyVersion> oldest = versions.stream().filter(v -> !v.isDefault()).sorted(OLDEST_FIRST)
                    .limit(excess).toList();
            oldest.forEach(v -> deleteVersion(cloud, name, v.versionId()));
            return versions.size() - oldest.size();
        }

        /** Deletes our policy, versions first; false when IoT Core refuses for now (recently detached, or attached). */
        private boolean delete(String name) {
            CloudSnapshot.KnownPolicy known = policies.get(name);
            if (last != null && known == null) {
                return true; // none of ours by that name is left
            }
            if (known == null || known.versions() == null || known.versions() > 1) {
                List<PolicyVersion> versions;
                try {
                    versions = cloud.policyVersions(name);
                } catch (CloudRejectedException e) {
                    policies.remove(name);
                    return rethrowUnless(e, RESOURCE_NOT_FOUND, () -> true);
                }
                versions.stream().filter(v -> !v.isDefault()).forEach(v -> deleteVersion(cloud, name, v.versionId()));
            }
            try {
                cloud.deletePolicy(name);
                policies.remove(name);
                return true;
            } catch (CloudRejectedException e) {
                if (e.is(DELETE_CONFLICT)) {
                    policies.put(name, new CloudSnapshot.KnownPolicy(null, 1));
                    return false;
                }
                policies.remove(name);
                return rethrowUnless(e, RESOURCE_NOT_FOUND, () -> true);
            }
        }
    }

    /**
     * Sets the attributes that differ from what the user has: {@code known} (what we set last) or, when null, what
     * Cognito answers. Returns the attributes as they now are.
     */
    private static Map<String, String> updateAttributes(CloudGateway cloud, String username,
            Map<String, String> attributes, Map<String, String> known) {
        if (attributes.isEmpty()) {
            return Map.of();
        }
        Map<String, String> current = known != null ? known : cloud.userAttributes(username);
        Map<String, String> changes = new LinkedHashMap<>();
        // Cognito has no empty attribute: an absent one and "" are the same to us.
        attributes.forEach((name, value) -> {
            if (!Objects.equals(current.getOrDefault(name, ""), value)) {
                changes.put(name, value);
            }
        });
        if (!changes.isEmpty()) {
            cloud.updateUserAttributes(username, changes);
        }
        return attributes;
    }

    /** A version that is gone already (an earlier attempt whose answer was lost) is as good as deleted. */
    private static void deleteVersion(CloudGateway cloud, String name, String versionId) {
        try {
            cloud.deletePolicyVersion(name, versionId);
        } catch (CloudRejectedException e) {
            rethrowUnless(e, RESOURCE_NOT_FOUND, () -> null);
        }
    }

    private static <T> T rethrowUnless(CloudRejectedException e, String code, Supplier<T> then) {
        if (!e.is(code)) {
            throw e;
        }
        return then.get();
    }
}
