package dev.appliancesync.cloud.policy;

import static dev.appliancesync.cloud.policy.CloudPermission.ADJUST_SETTINGS;
import static dev.appliancesync.cloud.policy.CloudPermission.VIEW;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** What the compiler emits for small, readable cases; the property test covers the rest. */
class IotPolicyCompilerTest {

    private static final PolicyTarget TARGET = new PolicyTarget("us-east-1", "123456789012", "appliance-sync-");
    private static final String USER = "4f0c2d8e-5b1a-4c9e-9d7f-1a2b3c4d5e6f";
    private static final String ARN = "arn:aws:iot:us-east-1:123456789012:";
    private static final String IDENTITY = "us-east-1:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";

    private final IotPolicyCompiler compiler = new IotPolicyCompiler();

    private static CloudGrants grants(List<HouseholdGrant> households, List<ApplianceGrant> appliances) {
        return new CloudGrants(USER, households, appliances);
    }

    @Test
    void noGrantNoPolicyAndNoAccessTag() {
        CompiledAccess none = compiler.compile(grants(List.of(), List.of()), TARGET);
        CompiledAccess emptySets = compiler.compile(grants(List.of(new HouseholdGrant("abcdefgh", Set.of())),
                List.of(new ApplianceGrant("oven2", Set.of()))), TARGET);
        for (CompiledAccess access : List.of(none, emptySets)) {
            assertThat(access.policies()).isEmpty();
            assertThat(access.principalTags()).isEqualTo(Map.of("iot_access", "none", "iot_settings", "false"));
        }
    }

    @Test
    void aGuestOfOneHouseholdAndOneApplianceGetsOneExactDocument() {
        CompiledAccess access = compiler.compile(grants(List.of(new HouseholdGrant("abcdefgh", Set.of(VIEW))),
                List.of(new ApplianceGrant("oven2", Set.of(VIEW)))), TARGET);
        assertThat(access.policies()).containsExactly(new CompiledPolicy("appliance-sync-" + USER + "-1", """
                {"Version":"2012-10-17","Statement":[\
                {"Effect":"Allow","Action":"iot:Connect","Resource":["%1$sclient/${cognito-identity.amazonaws.com:sub}-*"]},\
                {"Effect":"Allow","Action":"iot:Receive","Resource":["%1$stopic/view/households/abcdefgh/status/*",\
                "%1$stopic/view/things/oven2/status"]},\
                {"Effect":"Allow","Action":"iot:Subscribe","Resource":["%1$stopicfilter/view/households/abcdefgh/status/*",\
                "%1$stopicfilter/view/things/oven2/status"]}]}""".formatted(ARN)));
        assertThat(access.principalTags()).isEqualTo(Map.of("iot_access", "view", "iot_settings", "false"));
    }

    @Test
    void settingsOpenTheSettingsViewAndNothingIsEverPublishable() {
        String document = compiler.compile(grants(List.of(new HouseholdGrant("abcdefgh", Set.of(VIEW,
                ADJUST_SETTINGS))), List.of(new ApplianceGrant("oven1", Set.of(ADJUST_SETTINGS)))), TARGET)
                .policies().getFirst().document();
        assertThat(document).contains("topic/view/households/abcdefgh/settings/*",
                "topicfilter/view/households/abcdefgh/settings/*", "topic/view/things/oven1/settings",
                "topicfilter/view/things/oven1/settings").doesNotContain("oven1/status")
                .doesNotContain("Publish").doesNotContain("Deny").doesNotContain("$aws").doesNotContain("appliances/");
    }

    @Test
    void aThingGrantedBesidesItsHouseholdKeepsItsOwnTopics() {
        // Household and thing topics differ (view/households/P/.../T, view/things/T/...): neither covers the other.
        String document = compiler.compile(grants(List.of(new HouseholdGrant("abcdefgh", Set.of(VIEW))),
                List.of(new ApplianceGrant("oven1", Set.of(VIEW)))), TARGET).policies().getFirst().document();
        assertThat(document).contains("topic/view/things/oven1/status", "topic/view/households/abcdefgh/status/*");
    }

    @Test
    void twoConnectionsOfOneUserMayConnectAndNoOtherIdentity() {
        CompiledAccess access = compiler.compile(grants(List.of(), List.of(new ApplianceGrant("oven1",
                Set.of(VIEW)))), TARGET);
        CloudAccessCheck.UserAccess check = new CloudAccessCheck(new IotPolicyEvaluator(),
                IamRoleGate.forTarget(TARGET)).forUser(access);
        String other = "us-east-1:0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f1";
        for (String device : List.of("phone", "tablet")) {
            String client = IDENTITY + "-" + device;
            assertThat(check.explain("iot:Connect", ARN + "client/" + client,
                    new IotConnection.CognitoIdentity(IDENTITY, client)).allowed()).as(client).isTrue();
            String others = other + "-" + device;
            assertThat(check.explain("iot:Connect", ARN + "client/" + others,
                    new IotConnection.CognitoIdentity(IDENTITY, others)).allowed()).as(others).isFalse();
        }
        assertThat(check.explain("iot:Connect", ARN + "client/" + IDENTITY,
                new IotConnection.CognitoIdentity(IDENTITY, IDENTITY)).allowed()).as("no suffix").isFalse();
    }

    @Test
    void principalTagsSayWhetherTheUserSeesSettingsAnywhere() {
        CompiledAccess settings = compiler.compile(grants(List.of(), List.of(new ApplianceGrant("oven1",
                Set.of(VIEW)), new ApplianceGrant("oven2", Set.of(ADJUST_SETTINGS)))), TARGET);
        assertThat(settings.principalTags()).isEqualTo(Map.of("iot_access", "view", "iot_settings", "true"));
        CompiledAccess household = compiler.compile(grants(List.of(new HouseholdGrant("abcdefgh",
                Set.of(ADJUST_SETTINGS))), List.of()), TARGET);
        assertThat(household.principalTags()).isEqualTo(Map.of("iot_access", "view", "iot_settings", "true"));
    }

    @Test
    void grantsThatNeedMoreThanTenDocumentsAreRefusedNamingTheLimit() {
        List<ApplianceGrant> many = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            many.add(new ApplianceGrant("appliance-with-a-rather-long-factory-name-" + i, Set.of(VIEW,
                    ADJUST_SETTINGS)));
        }
        assertThatThrownBy(() -> compiler.compile(grants(List.of(), many), TARGET))
                .isInstanceOf(QuotaExceededException.class)
                .hasMessageMatching("an identity may have at most 10 IoT policies of at most 2048 characters each; "
                        + "these grants need (at least )?[0-9]+");
    }

    /** docs/cloud-access.md states these capacities: keep the two in step. */
    @Test
    void capacityTheReadmeStates() {
        assertFitsExactly(123, Set.of(VIEW), "view only");
        assertFitsExactly(60, Set.of(VIEW, ADJUST_SETTINGS), "view and settings");
        List<HouseholdGrant> households = new ArrayList<>();
        for (int i = 0; i < 58; i++) {
            households.add(new HouseholdGrant("h%07d".formatted(i), Set.of(VIEW, ADJUST_SETTINGS)));
        }
        assertThat(compiler.compile(grants(households, List.of()), TARGET).policies()).hasSize(10);
        households.add(new HouseholdGrant("h9999999", Set.of(VIEW, ADJUST_SETTINGS)));
        assertThatThrownBy(() -> compiler.compile(grants(households, List.of()), TARGET))
                .isInstanceOf(QuotaExceededException.class);
    }

    /** Exactly this many appliances with 12-character thing names (SN-000000042) fit, one more does not. */
    private void assertFitsExactly(int count, Set<CloudPermission> permissions, String what) {
        List<ApplianceGrant> appliances = new ArrayList<>();
        for (int i = 0; i <= count; i++) {
            appliances.add(new ApplianceGrant("SN-%09d".formatted(i), permissions));
        }
        assertThat(compiler.compile(grants(List.of(), appliances.subList(0, count)), TARGET).policies())
                .as(what).hasSizeLessThanOrEqualTo(10);
        assertThatThrownBy(() -> compiler.compile(grants(List.of(), appliances), TARGET)).as(what)
                .isInstanceOf(QuotaExceededException.class);
    }

    @Test
    void documentsAreNumberedFromOne() {
        List<ApplianceGrant> some = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            some.add(new ApplianceGrant("oven-" + i, Set.of(VIEW)));
        }
        List<CompiledPolicy> policies = compiler.compile(grants(List.of(), some), TARGET).policies();
        assertThat(policies).hasSizeGreaterThan(1);
        for (int i = 0; i < policies.size(); i++) {
            assertThat(policies.get(i).name()).isEqualTo("appliance-sync-" + USER + "-" + (i + 1));
        }
    }

    @Test
    void namesThatWouldWidenAPolicyOrBreakItsNameAreRefused() {
        assertThatThrownBy(() -> new ApplianceGrant("oven*", Set.of(VIEW)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ApplianceGrant("oven/1", Set.of(VIEW)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ApplianceGrant("oven+", Set.of(VIEW)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ApplianceGrant("${iot:ClientId}", Set.of(VIEW)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HouseholdGrant("ABCDEFGH", Set.of(VIEW)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HouseholdGrant("abcdefg*", Set.of(VIEW)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PolicyTarget("us-east-1", "12345", "p-"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> compiler.compile(new CloudGrants("us-east-1:abc", List.of(), List.of()), TARGET))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("policy name");
    }

    @Test
    void principalTagValuesAreCheckedAgainstIamsRules() {
        assertThat(CloudPrincipalTags.validated(Map.of("iot_access", "view"))).containsEntry("iot_access", "view");
        assertThatThrownBy(() -> CloudPrincipalTags.validated(Map.of("iot_access", "view;drop")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CloudPrincipalTags.validated(Map.of("aws:iot_access", "view")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CloudPrincipalTags.validated(Map.of("iot_access", "v".repeat(257))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theRolePolicyIsFilledInForItsDeployment() {
        String china = IdentityPoolRolePolicy.render(new PolicyTarget("cn-north-1", "123456789012", "p-"));
        assertThat(china).contains(
                "arn:aws-cn:iot:cn-north-1:123456789012:client/${cognito-identity.amazonaws.com:sub}-*")
                .doesNotContain("{{");
        assertThat(IdentityPoolRolePolicy.template()).contains("{{region}}", "{{accountId}}", "{{partition}}");
    }
}
