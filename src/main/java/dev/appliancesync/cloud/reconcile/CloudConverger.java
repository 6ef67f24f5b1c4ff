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
import java.util.TreeSet;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.cloud.gateway.CloudGateway;
import dev.appliancesync.cloud.gateway.CloudRejectedException;
import dev.appliancesync.cloud.gateway.PolicyState;
import dev.appliancesync.cloud.gateway.PolicyVersion;
import dev.appliancesync.cloud.policy.IotQuotas;

/**
 * Brings one user's cloud gates to the desired state with only the calls needed. It reads what the cloud has (attached
 * policies, each desired policy, the user's attributes) rather than trusting what it did last time, so a run after a
 * crash, a lost response or a change made behind our back ends in the same state; a run with nothing to change makes
 * only reads.
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

    private final CloudGateway gateway;

    public CloudConverger(CloudGateway gateway) {
        this.gateway = gateway;
    }

    public ConvergeResult converge(DesiredCloudAccess desired) {
        CountingGateway cloud = new CountingGateway(gateway);
        Set<String> attached = cloud.attachedPolicies(desired.target());
        Set<String> desiredNames = desired.policyNames();

        Set<String> toDelete = new TreeSet<>();
        for (String name : attached) {
            if (desired.isOurs(name) && !desiredNames.contains(name)) {
                cloud.detachPolicy(name, desired.target());
                toDelete.add(name);
            }
        }
        for (DesiredPolicy policy : desired.policies()) {
            putDocument(cloud, policy);
        }
        for (DesiredPolicy policy : desired.policies()) {
            if (!attached.contains(policy.name())) {
                cloud.attachPolicy(policy.name(), desired.target());
            }
        }
        updateAttributes(cloud, desired.username(), desired.attributes());

        desired.formerPolicies().stream().filter(name -> !desiredNames.contains(name)).forEach(toDelete::add);
        Set<String> awaitingDeletion = new TreeSet<>();
        for (String name : toDelete) {
            if (!delete(cloud, name)) {
                awaitingDeletion.add(name);
            }
        }
        return new ConvergeResult(cloud.counts(), awaitingDeletion);
    }

    /** Only the user's attributes: a user with no Cognito identity linked has nothing to attach policies to yet. */
    public ConvergeResult attributesOnly(String username, Map<String, String> attributes) {
        CountingGateway cloud = new CountingGateway(gateway);
        updateAttributes(cloud, username, attributes);
        return new ConvergeResult(cloud.counts(), Set.of());
    }

    /** The policy exists with the desired document as its default version. */
    private static void putDocument(CloudGateway cloud, DesiredPolicy policy) {
        Optional<PolicyState> state = cloud.policy(policy.name());
        if (state.isEmpty()) {
            try {
                cloud.createPolicy(policy.name(), policy.document());
                return;
            } catch (CloudRejectedException e) {
                // Our own earlier attempt may have created it and lost the answer: look again.
                state = rethrowUnless(e, RESOURCE_ALREADY_EXISTS, () -> cloud.policy(policy.name()));
                if (state.isEmpty()) {
                    throw e;
                }
            }
        }
        if (PolicyDocuments.same(state.get().defaultDocument(), policy.document())) {
            return;
        }
        makeRoomForVersion(cloud, policy.name());
        try {
            cloud.createDefaultVersion(policy.name(), policy.document());
        } catch (CloudRejectedException e) {
            // A version appeared since we listed them (ours, whose answer was lost and retried, or someone else's).
            Optional<PolicyState> now = rethrowUnless(e, VERSIONS_LIMIT_EXCEEDED, () -> cloud.policy(policy.name()));
            if (now.isPresent() && PolicyDocuments.same(now.get().defaultDocument(), policy.document())) {
                return;
            }
            makeRoomForVersion(cloud, policy.name());
            cloud.createDefaultVersion(policy.name(), policy.document());
        }
    }

    /** Below IoT Core's 5 versions per policy, by deleting the oldest versions that are not the default. */
    private static void makeRoomForVersion(CloudGateway cloud, String name) {
        List<PolicyVersion> versions = cloud.policyVersions(name);
        int excess = versions.size() - (IotQuotas.MAX_VERSIONS_PER_POLICY - 1);
        versions.stream().filter(v -> !v.isDefault()).sorted(OLDEST_FIRST).limit(Math.max(0, excess))
                .forEach(v -> deleteVersion(cloud, name, v.versionId()));
    }

    private static void updateAttributes(CloudGateway cloud, String username, Map<String, String> attributes) {
        if (attributes.isEmpty()) {
            return;
        }
        Map<String, String> current = cloud.userAttributes(username);
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
    }

    /** Deletes our policy, versions first; false when IoT Core refuses for now (recently detached, or attached). */
    private static boolean delete(CloudGateway cloud, String name) {
        List<PolicyVersion> versions;
        try {
            versions = cloud.policyVersions(name);
        } catch (CloudRejectedException e) {
            return rethrowUnless(e, RESOURCE_NOT_FOUND, () -> true);
        }
        versions.stream().filter(v -> !v.isDefault()).forEach(v -> deleteVersion(cloud, name, v.versionId()));
        try {
            cloud.deletePolicy(name);
            return true;
        } catch (CloudRejectedException e) {
            if (e.is(DELETE_CONFLICT)) {
                return false;
            }
            return rethrowUnless(e, RESOURCE_NOT_FOUND, () -> true);
        }
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
