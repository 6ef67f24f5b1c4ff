package dev.appliancesync.cloud.policy;

import static dev.appliancesync.cloud.policy.CloudPermission.ADJUST_SETTINGS;
import static dev.appliancesync.cloud.policy.CloudPermission.COMMAND;
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

    private final IotPolicyCompiler compiler = new IotPolicyCompiler();

    private static CloudGrants grants(List<HouseholdGrant> households, List<ApplianceGrant> appliances) {
        return new CloudGrants(USER, households, appliances);
    }

    @Test
    void noGrantNoPolicyAndNoAccessTag() {
        CompiledAccess none = compiler.compile(grants(List.of(), List.of()), TARGET);
        CompiledAccess emptySets = compiler.compile(grants(List.of(new HouseholdGrant("abcdefgh", Set.of(),
                List.of("abcdefgh-oven1"))), List.of(new ApplianceGrant("oven2", Set.of()))), TARGET);
        for (CompiledAccess access : List.of(none, emptySets)) {
            assertThat(access.policies()).isEmpty();
            assertThat(access.principalTags()).isEqualTo(Map.of("iot_access", "none", "iot_settings", "false",
                    "iot_commands", "false"));
        }
    }

    @Test
    void aGuestOfOneHouseholdAndOneApplianceGetsOneExactDocument() {
        CompiledAccess access = compiler.compile(grants(
                List.of(new HouseholdGrant("abcdefgh", Set.of(VIEW), List.of("abcdefgh-oven1", "abcdefgh-fridge"))),
                List.of(new ApplianceGrant("oven2", Set.of(VIEW)))), TARGET);
        String arn = "arn:aws:iot:us-east-1:123456789012:";
        assertThat(access.policies()).containsExactly(new CompiledPolicy("appliance-sync-" + USER + "-1", """
                {"Version":"2012-10-17","Statement":[\
                {"Effect":"Allow","Action":"iot:Connect","Resource":["%1$sclient/${cognito-identity.amazonaws.com:sub}"]},\
                {"Effect":"Allow","Action":"iot:Receive","Resource":["%1$stopic/$aws/things/abcdefgh-*/*",\
                "%1$stopic/$aws/things/oven2/*","%1$stopic/appliances/abcdefgh-*/*","%1$stopic/appliances/oven2/*"]},\
                {"Effect":"Allow","Action":"iot:Subscribe","Resource":["%1$stopicfilter/$aws/things/abcdefgh-*/*",\
                "%1$stopicfilter/$aws/things/oven2/*","%1$stopicfilter/appliances/abcdefgh-*/*",\
                "%1$stopicfilter/appliances/oven2/*"]}]}""".formatted(arn)));
        assertThat(access.principalTags()).containsEntry("iot_access", "view");
    }

    @Test
    void householdPublishWildcardsComeWithTheDenyThatCarvesOutExtraLevels() {
        String document = compiler.compile(grants(List.of(new HouseholdGrant("abcdefgh",
                Set.of(VIEW, ADJUST_SETTINGS, COMMAND), List.of())), List.of()), TARGET).policies().getFirst().document();
        assertThat(document).contains("topic/$aws/things/abcdefgh-*/shadow/update", "topic/appliances/abcdefgh-*/commands",
                "{\"Effect\":\"Deny\",\"Action\":\"iot:Publish\",\"Resource\":["
                        + "\"arn:aws:iot:us-east-1:123456789012:topic/$aws/things/*/*/shadow/update\","
                        + "\"arn:aws:iot:us-east-1:123456789012:topic/appliances/*/*/commands\"]}");
        String thingsOnly = compiler.compile(grants(List.of(), List.of(new ApplianceGrant("oven1",
                Set.of(ADJUST_SETTINGS, COMMAND)))), TARGET).policies().getFirst().document();
        assertThat(thingsOnly).doesNotContain("Deny");
    }

    @Test
    void aThingListedBesidesItsHouseholdKeepsOnlyWhatTheHouseholdDoesNotGive() {
        String document = compiler.compile(grants(List.of(new HouseholdGrant("abcdefgh", Set.of(VIEW), List.of())),
                List.of(new ApplianceGrant("abcdefgh-oven1", Set.of(VIEW, COMMAND)),
                        new ApplianceGrant("abcdefgh-oven2", Set.of(VIEW)))), TARGET).policies().getFirst().document();
        assertThat(document).contains("topic/appliances/abcdefgh-oven1/commands").doesNotContain("oven1/*")
                .doesNotContain("oven2");
    }

    @Test
    void principalTagsSayWhichClassesTheUserHoldsAnywhere() {
        CompiledAccess settings = compiler.compile(grants(List.of(), List.of(new ApplianceGrant("oven1",
                Set.of(VIEW)), new ApplianceGrant("oven2", Set.of(ADJUST_SETTINGS)))), TARGET);
        assertThat(settings.principalTags()).isEqualTo(Map.of("iot_access", "control", "iot_settings", "true",
                "iot_commands", "false"));
        CompiledAccess commands = compiler.compile(grants(List.of(new HouseholdGrant("abcdefgh", Set.of(COMMAND),
                List.of())), List.of()), TARGET);
        assertThat(commands.principalTags()).isEqualTo(Map.of("iot_access", "control", "iot_settings", "false",
                "iot_commands", "true"));
    }

    @Test
    void grantsThatNeedMoreThanTenDocumentsAreRefusedNamingTheLimit() {
        List<ApplianceGrant> many = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            many.add(new ApplianceGrant("appliance-with-a-rather-long-factory-name-" + i, Set.of(VIEW, COMMAND)));
        }
        assertThatThrownBy(() -> compiler.compile(grants(List.of(), many), TARGET))
                .isInstanceOf(QuotaExceededException.class)
                .hasMessageMatching("an identity may have at most 10 IoT policies of at most 2048 characters each; "
                        + "these grants need (at least )?[0-9]+");
    }

    @Test
    void documentsAreNumberedFromOne() {
        List<ApplianceGrant> some = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
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
        assertThatThrownBy(() -> new ApplianceGrant("${iot:ClientId}", Set.of(VIEW)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HouseholdGrant("ABCDEFGH", Set.of(VIEW), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HouseholdGrant("abcdefgh", Set.of(VIEW), List.of("oven*")))
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
        assertThat(china).contains("arn:aws-cn:iot:cn-north-1:123456789012:client/${cognito-identity.amazonaws.com:sub}")
                .doesNotContain("{{");
        assertThat(IdentityPoolRolePolicy.template()).contains("{{region}}", "{{accountId}}", "{{partition}}");
    }
}
