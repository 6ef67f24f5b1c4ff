package dev.appliancesync.cloud.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.appliancesync.cloud.topics.AppTopics;

/**
 * Compiles a user's grants into the IoT Core policies for their Cognito identity, and the principal tags for the
 * identity-pool role. Least privilege, and never wider to fit the quotas ({@link IotQuotas}): grants that do not fit
 * throw {@link QuotaExceededException}.
 *
 * <h2>What an app may do on IoT Core (the specification; PolicyCompilerPropertyTest's model implements it
 * independently)</h2>
 *
 * <p>Apps read a view of the model that the service publishes ({@link dev.appliancesync.cloud.topics.AppTopics});
 * the rule for a shadow is: <em>you see through IoT Core exactly what {@code applianceState} shows you</em>, reported
 * state with VIEW_STATUS, desired only with ADJUST_SETTINGS. Apps never publish (no iot:Publish, no
 * iot:RetainPublish): the service could not tell an app's shadow update or command from the device's, nor decide
 * a command per command as {@code sendCommand} does. Apps get nothing under {@code $aws/} nor {@code appliances/}
 * (the devices' namespaces: shadows, jobs, tunnels, commands), nothing of anything else.
 *
 * <ul>
 * <li><b>iot:Connect</b> on {@code client/${cognito-identity.amazonaws.com:sub}-*}: a user with any grant may
 * connect with any client id that is their identity id, a '-' and anything (phone, tablet: several connections at
 * once). Identity ids are {@code <region>:<uuid>}, fixed length per region, so no other identity id followed by '-'
 * starts with this one: the client id {@code <own id>} alone, another's id, and {@code <other id>-x} are refused.
 * A user with no grant gets no policy at all.</li>
 * <li><b>VIEW on T</b> (a thing grant): iot:Receive on {@code topic/view/things/T/status} and iot:Subscribe on
 * {@code topicfilter/view/things/T/status}, exactly. IoT checks Subscribe against the filter as sent, '+' and '#'
 * being plain characters there, so {@code view/things/T/+}, {@code view/things/+/status} and {@code #} are
 * refused.</li>
 * <li><b>ADJUST_SETTINGS on T</b>: the same for {@code view/things/T/settings}. Independent of VIEW.</li>
 * <li><b>VIEW on household P</b>: iot:Receive on {@code topic/view/households/P/status/*} and iot:Subscribe on
 * {@code topicfilter/view/households/P/status/*}: everything under the household's status channel, which holds the
 * status of P's appliances (present and future: one statement per household, no policy change when an appliance
 * joins, no thing renamed) and nothing else, because only the service publishes under {@code view/}. Filters such as
 * {@code view/households/P/status/+} and {@code view/households/P/status/#} are therefore allowed: even read as
 * wildcards they reach only P's status channel.</li>
 * <li><b>ADJUST_SETTINGS on household P</b>: the same for {@code view/households/P/settings/*}.</li>
 * <li>Nothing else, and no Deny statements: every Allow is exact.</li>
 * </ul>
 *
 * <p>A thing granted individually and through its household gets both: they are different topics. The identity-pool
 * role (iot_access, iot_settings; {@link CloudPrincipalTags}) is the second gate: AWS allows only what both allow.
 *
 * <h2>Packing</h2>
 *
 * <p>Resources are grouped by statement kind and packed first-fit decreasing ({@link PolicyPacker}); documents are
 * named {@code <prefix><userId>-<n>} from 1. Equal grants in any order compile to identical documents and names.
 * docs/cloud-access.md gives the capacity this leaves (appliances per user).
 */
public final class IotPolicyCompiler {

    private final PolicyDocumentWriter writer = new PolicyDocumentWriter();
    private final PolicyPacker packer = new PolicyPacker(writer, IotQuotas.MAX_DOCUMENT_CHARACTERS);

    public CompiledAccess compile(CloudGrants grants, PolicyTarget target) {
        // The longest name this user can get, checked before anything is compiled.
        policyName(target, grants.userId(), IotQuotas.MAX_POLICIES_PER_IDENTITY);
        EffectiveGrants effective = EffectiveGrants.of(grants);
        Map<String, String> tags = CloudPrincipalTags.of(effective);
        if (effective.isEmpty()) {
            return new CompiledAccess(List.of(), tags);
        }
        List<PolicyItem> items = items(effective, target);
        int least = packer.minimumDocuments(items);
        if (least > IotQuotas.MAX_POLICIES_PER_IDENTITY) {
            throw tooManyPolicies("at least " + least);
        }
        List<PolicyPacker.PackedDocument> documents = packer.pack(items);
        if (documents.size() > IotQuotas.MAX_POLICIES_PER_IDENTITY) {
            throw tooManyPolicies(Integer.toString(documents.size()));
        }
        List<CompiledPolicy> policies = new ArrayList<>();
        for (PolicyPacker.PackedDocument packed : documents) {
            String document = writer.render(packed.statements());
            if (IotQuotas.documentSize(document) != packed.plannedSize()) {
                throw new IllegalStateException("packed " + packed.plannedSize() + " characters but rendered "
                        + IotQuotas.documentSize(document));
            }
            policies.add(new CompiledPolicy(policyName(target, grants.userId(), policies.size() + 1), document));
        }
        return new CompiledAccess(policies, tags);
    }

    private static QuotaExceededException tooManyPolicies(String needed) {
        return new QuotaExceededException("an identity may have at most " + IotQuotas.MAX_POLICIES_PER_IDENTITY
                + " IoT policies of at most " + IotQuotas.MAX_DOCUMENT_CHARACTERS + " characters each; these grants need "
                + needed);
    }

    private static String policyName(PolicyTarget target, String userId, int number) {
        return CloudNames.require(CloudNames.POLICY_NAME, userPolicyPrefix(target.policyNamePrefix(), userId) + number,
                "policy name");
    }

    /** What every policy name of this user starts with, and no other user's does. */
    public static String userPolicyPrefix(String policyNamePrefix, String userId) {
        return policyNamePrefix + userId + "-";
    }

    private static List<PolicyItem> items(EffectiveGrants grants, PolicyTarget target) {
        List<PolicyItem> items = new ArrayList<>();
        items.add(new PolicyItem(StatementKind.CONNECT, target.iotArn(TopicLayout.CONNECT_RESOURCE)));
        grants.households().forEach((prefix, permissions) -> {
            for (AppTopics.Channel channel : CloudPermission.channels(permissions)) {
                addReadable(items, target, TopicLayout.household(prefix, channel));
            }
        });
        grants.things().forEach((thing, permissions) -> {
            for (AppTopics.Channel channel : CloudPermission.channels(permissions)) {
                addReadable(items, target, TopicLayout.thing(thing, channel));
            }
        });
        return items;
    }

    private static void addReadable(List<PolicyItem> items, PolicyTarget target, String topics) {
        items.add(new PolicyItem(StatementKind.RECEIVE, target.iotArn("topic/" + topics)));
        items.add(new PolicyItem(StatementKind.SUBSCRIBE, target.iotArn("topicfilter/" + topics)));
    }
}
