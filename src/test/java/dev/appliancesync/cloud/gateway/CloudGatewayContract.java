package dev.appliancesync.cloud.gateway;

import static dev.appliancesync.cloud.gateway.CloudOperation.ADMIN_GET_USER;
import static dev.appliancesync.cloud.gateway.CloudOperation.ADMIN_UPDATE_USER_ATTRIBUTES;
import static dev.appliancesync.cloud.gateway.CloudOperation.ATTACH_POLICY;
import static dev.appliancesync.cloud.gateway.CloudOperation.CREATE_POLICY;
import static dev.appliancesync.cloud.gateway.CloudOperation.CREATE_POLICY_VERSION;
import static dev.appliancesync.cloud.gateway.CloudOperation.DELETE_POLICY;
import static dev.appliancesync.cloud.gateway.CloudOperation.DELETE_POLICY_VERSION;
import static dev.appliancesync.cloud.gateway.CloudOperation.DETACH_POLICY;
import static dev.appliancesync.cloud.gateway.CloudOperation.GET_POLICY;
import static dev.appliancesync.cloud.gateway.CloudOperation.LIST_ATTACHED_POLICIES;
import static dev.appliancesync.cloud.gateway.CloudOperation.LIST_POLICY_VERSIONS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.appliancesync.cloud.FakeAws;
import dev.appliancesync.cloud.reconcile.CloudConverger;
import dev.appliancesync.cloud.reconcile.ConvergeResult;
import dev.appliancesync.cloud.reconcile.DesiredCloudAccess;
import dev.appliancesync.cloud.reconcile.DesiredPolicy;

/**
 * What every {@link CloudGateway} must do as IoT Core and Cognito do, so that the converger makes the same calls with
 * each: run against the AWS gateway (real SDK, {@link dev.appliancesync.cloud.FakeAws}) and the local one (PostgreSQL).
 * Names are unique per test, since the local gateway's database outlives a test.
 */
public abstract class CloudGatewayContract {

    /** The gateway under test. */
    protected abstract CloudGateway gateway();

    /** Makes {@code username} a user of the pool (the local gateway has every user already). */
    protected abstract void addUser(String username);

    protected final String id = UUID.randomUUID().toString().substring(0, 8);
    protected final String prefix = "appliance-sync-" + id + "-";
    protected final String target = "eu-west-1:" + UUID.randomUUID();
    protected final String username = "user-" + id;

    protected static String document(String action) {
        return """
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "%s", "Resource": "*"}]}"""
                .formatted(action);
    }

    private DesiredCloudAccess desired(List<DesiredPolicy> policies, Map<String, String> attributes) {
        return new DesiredCloudAccess(target, username, policies, attributes, prefix);
    }

    @Test
    void convergesFromEmptyThenOnlyReads() {
        addUser(username);
        CloudConverger converger = new CloudConverger(gateway());
        DesiredCloudAccess desired = desired(List.of(new DesiredPolicy(prefix + "a", document("iot:Connect")),
                new DesiredPolicy(prefix + "b", document("iot:Subscribe"))), Map.of("custom:appliances", "oven"));

        ConvergeResult first = converger.converge(desired);

        assertThat(first.calls()).isEqualTo(Map.of(LIST_ATTACHED_POLICIES, 1, GET_POLICY, 2, ADMIN_GET_USER, 1,
                CREATE_POLICY, 2, ATTACH_POLICY, 2, ADMIN_UPDATE_USER_ATTRIBUTES, 1));
        assertThat(gateway().attachedPolicies(target)).containsExactlyInAnyOrder(prefix + "a", prefix + "b");
        assertThat(gateway().policy(prefix + "b").orElseThrow().defaultDocument()).isEqualTo(document("iot:Subscribe"));
        assertThat(gateway().userAttributes(username)).containsEntry("custom:appliances", "oven");

        ConvergeResult second = converger.converge(desired);

        assertThat(second.writes()).isZero();
        assertThat(second.calls()).isEqualTo(Map.of(LIST_ATTACHED_POLICIES, 1, GET_POLICY, 2, ADMIN_GET_USER, 1));
    }

    @Test
    void aChangedDocumentBecomesANewDefaultVersionPruningTheOldestOtherVersionAtFive() {
        addUser(username);
        String name = prefix + "versions";
        gateway().createPolicy(name, document("iot:V1"));
        for (int v = 2; v <= 5; v++) {
            gateway().createDefaultVersion(name, document("iot:V" + v));
        }
        CloudConverger converger = new CloudConverger(gateway());

        ConvergeResult result = converger.converge(desired(List.of(new DesiredPolicy(name, document("iot:V6"))),
                Map.of()));

        assertThat(result.calls()).isEqualTo(Map.of(LIST_ATTACHED_POLICIES, 1, GET_POLICY, 1, LIST_POLICY_VERSIONS, 1,
                DELETE_POLICY_VERSION, 1, CREATE_POLICY_VERSION, 1, ATTACH_POLICY, 1));
        assertThat(gateway().policyVersions(name)).extracting(PolicyVersion::versionId)
                .containsExactlyInAnyOrder("2", "3", "4", "5", "6");
        assertThat(gateway().policy(name).orElseThrow()).isEqualTo(new PolicyState(name, "6", document("iot:V6")));
    }

    @Test
    void aRevokedPolicyIsDetachedAndDeletedAndOtherPoliciesAreLeftAlone() {
        addUser(username);
        String foreign = "someone-else-" + id;
        gateway().createPolicy(foreign, document("iot:Receive"));
        gateway().attachPolicy(foreign, target);
        CloudConverger converger = new CloudConverger(gateway());
        DesiredPolicy kept = new DesiredPolicy(prefix + "kept", document("iot:Connect"));
        DesiredPolicy revoked = new DesiredPolicy(prefix + "revoked", document("iot:Subscribe"));
        converger.converge(desired(List.of(kept, revoked), Map.of("custom:appliances", "oven,fridge")));
        gateway().createDefaultVersion(revoked.name(), document("iot:Publish")); // a second version to delete first

        ConvergeResult revoke = converger.converge(desired(List.of(kept), Map.of("custom:appliances", "oven")));

        assertThat(revoke.calls()).isEqualTo(Map.of(LIST_ATTACHED_POLICIES, 1, DETACH_POLICY, 1, GET_POLICY, 1,
                ADMIN_GET_USER, 1, ADMIN_UPDATE_USER_ATTRIBUTES, 1, LIST_POLICY_VERSIONS, 1, DELETE_POLICY_VERSION, 1,
                DELETE_POLICY, 1));
        assertThat(revoke.awaitingDeletion()).isEmpty();
        assertThat(gateway().attachedPolicies(target)).containsExactlyInAnyOrder(kept.name(), foreign);
        assertThat(gateway().policy(revoked.name())).isEmpty();
        assertThat(gateway().policy(foreign)).isPresent();
        assertThat(gateway().userAttributes(username)).containsEntry("custom:appliances", "oven");
    }

    @Test
    void refusesWhatIotCoreRefusesWithItsErrorCodes() {
        String name = prefix + "rules";
        assertThat(gateway().policy(name)).isEmpty();
        assertRejected(() -> gateway().policyVersions(name), CloudRejectedException.RESOURCE_NOT_FOUND);
        assertRejected(() -> gateway().attachPolicy(name, target), CloudRejectedException.RESOURCE_NOT_FOUND);
        assertRejected(() -> gateway().createPolicy(name, "{\"Statement\": [" + "\"x\",".repeat(700) + "\"x\"]}"),
                CloudRejectedException.MALFORMED_POLICY);
        assertRejected(() -> gateway().createPolicy(name, "not json"), CloudRejectedException.MALFORMED_POLICY);
        assertRejected(() -> gateway().createPolicy("bad name!" + id, document("iot:Connect")),
                CloudRejectedException.INVALID_REQUEST);

        gateway().createPolicy(name, document("iot:V1"));
        assertRejected(() -> gateway().createPolicy(name, document("iot:V1")),
                CloudRejectedException.RESOURCE_ALREADY_EXISTS);
        for (int v = 2; v <= 5; v++) {
            assertThat(gateway().createDefaultVersion(name, document("iot:V" + v))).isEqualTo(String.valueOf(v));
        }
        assertRejected(() -> gateway().createDefaultVersion(name, document("iot:V6")),
                CloudRejectedException.VERSIONS_LIMIT_EXCEEDED);
        assertRejected(() -> gateway().deletePolicyVersion(name, "5"), CloudRejectedException.DELETE_CONFLICT);
        assertRejected(() -> gateway().deletePolicy(name), CloudRejectedException.DELETE_CONFLICT);
        gateway().deletePolicyVersion(name, "1");
        assertRejected(() -> gateway().deletePolicyVersion(name, "1"), CloudRejectedException.RESOURCE_NOT_FOUND);
        assertThat(gateway().createDefaultVersion(name, document("iot:V6"))).isEqualTo("6");

        gateway().attachPolicy(name, target);
        gateway().attachPolicy(name, target);
        assertThat(gateway().attachedPolicies(target)).containsExactly(name);
        for (int i = 2; i <= 10; i++) {
            gateway().createPolicy(prefix + "more-" + i, document("iot:Connect"));
            gateway().attachPolicy(prefix + "more-" + i, target);
        }
        gateway().createPolicy(prefix + "eleventh", document("iot:Connect"));
        assertRejected(() -> gateway().attachPolicy(prefix + "eleventh", target), CloudRejectedException.LIMIT_EXCEEDED);
        assertThat(gateway().attachedPolicies(target)).hasSize(10).doesNotContain(prefix + "eleventh");

        for (String version : List.of("2", "3", "4", "5")) {
            gateway().deletePolicyVersion(name, version);
        }
        assertRejected(() -> gateway().deletePolicy(name), CloudRejectedException.DELETE_CONFLICT); // still attached
        gateway().detachPolicy(name, target);
        gateway().deletePolicy(name);
        assertThat(gateway().policy(name)).isEmpty();
    }

    @Test
    void aDeveloperLoginKeepsOneIdentityAndEveryCallGetsAFreshTokenForIt() {
        DeveloperLogin alice = developerLogin("alice-" + id);
        DeveloperLogin bob = developerLogin("bob-" + id);
        Duration duration = Duration.ofMinutes(15);

        OpenIdToken first = gateway().openIdToken(alice, Map.of("iot_access", "view"), duration);
        OpenIdToken again = gateway().openIdToken(alice, Map.of(), duration);
        OpenIdToken other = gateway().openIdToken(bob, Map.of(), duration);

        assertThat(first.identityId()).matches(alice.region() + ":[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}")
                .isEqualTo(again.identityId()).isNotEqualTo(other.identityId());
        assertThat(first.token()).isNotBlank().isNotEqualTo(again.token());
        assertThat(first.toString()).doesNotContain(first.token());
    }

    @Test
    void refusesATokenDurationCognitoRefuses() {
        DeveloperLogin login = developerLogin("carol-" + id);
        for (Duration duration : List.of(Duration.ZERO, Duration.ofHours(24).plusSeconds(1))) {
            assertRejected(() -> gateway().openIdToken(login, Map.of(), duration), "InvalidParameterException");
        }
        assertThat(gateway().openIdToken(login, Map.of(), Duration.ofHours(24)).token()).isNotBlank();
    }

    private static DeveloperLogin developerLogin(String userId) {
        return new DeveloperLogin(FakeAws.IDENTITY_POOL_ID, FakeAws.DEVELOPER_PROVIDER, userId);
    }

    private static void assertRejected(Runnable call, String code) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(CloudRejectedException.class,
                e -> assertThat(e.errorCode()).isEqualTo(code));
    }
}
