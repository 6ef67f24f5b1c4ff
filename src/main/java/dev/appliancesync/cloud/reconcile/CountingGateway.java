package dev.appliancesync.cloud.reconcile;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.appliancesync.cloud.gateway.CloudGateway;
import dev.appliancesync.cloud.gateway.CloudOperation;
import dev.appliancesync.cloud.gateway.DeveloperLogin;
import dev.appliancesync.cloud.gateway.OpenIdToken;
import dev.appliancesync.cloud.gateway.PolicyState;
import dev.appliancesync.cloud.gateway.PolicyVersion;

/** Counts the calls of one converge by operation (each call once, whether it succeeded or not). */
final class CountingGateway implements CloudGateway {

    private final CloudGateway gateway;
    private final Map<CloudOperation, Integer> counts = new EnumMap<>(CloudOperation.class);

    CountingGateway(CloudGateway gateway) {
        this.gateway = gateway;
    }

    Map<CloudOperation, Integer> counts() {
        return counts;
    }

    private void count(CloudOperation operation) {
        counts.merge(operation, 1, Integer::sum);
    }

    @Override
    public Set<String> attachedPolicies(String target) {
        count(CloudOperation.LIST_ATTACHED_POLICIES);
        return gateway.attachedPolicies(target);
    }

    @Override
    public Optional<PolicyState> policy(String name) {
        count(CloudOperation.GET_POLICY);
        return gateway.policy(name);
    }

    @Override
    public List<PolicyVersion> policyVersions(String name) {
        count(CloudOperation.LIST_POLICY_VERSIONS);
        return gateway.policyVersions(name);
    }

    @Override
    public void createPolicy(String name, String document) {
        count(CloudOperation.CREATE_POLICY);
        gateway.createPolicy(name, document);
    }

    @Override
    public String createDefaultVersion(String name, String document) {
        count(CloudOperation.CREATE_POLICY_VERSION);
        return gateway.createDefaultVersion(name, document);
    }

    @Override
    public void deletePolicyVersion(String name, String versionId) {
        count(CloudOperation.DELETE_POLICY_VERSION);
        gateway.deletePolicyVersion(name, versionId);
    }

    @Override
    public void deletePolicy(String name) {
        count(CloudOperation.DELETE_POLICY);
        gateway.deletePolicy(name);
    }

    @Override
    public void attachPolicy(String name, String target) {
        count(CloudOperation.ATTACH_POLICY);
        gateway.attachPolicy(name, target);
    }

    @Override
    public void detachPolicy(String name, String target) {
        count(CloudOperation.DETACH_POLICY);
        gateway.detachPolicy(name, target);
    }

    @Override
    public Map<String, String> userAttributes(String username) {
        count(CloudOperation.ADMIN_GET_USER);
        return gateway.userAttributes(username);
    }

    @Override
    public void updateUserAttributes(String username, Map<String, String> attributes) {
        count(CloudOperation.ADMIN_UPDATE_USER_ATTRIBUTES);
        gateway.updateUserAttributes(username, attributes);
    }

    @Override
    public OpenIdToken openIdToken(DeveloperLogin login, Map<String, String> principalTags, Duration tokenDuration) {
        count(CloudOperation.GET_OPEN_ID_TOKEN_FOR_DEVELOPER_IDENTITY);
        return gateway.openIdToken(login, principalTags, tokenDuration);
    }
}
