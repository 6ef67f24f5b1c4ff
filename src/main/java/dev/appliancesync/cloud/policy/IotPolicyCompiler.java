package dev.appliancesync.cloud.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles a user's grants into the IoT Core policies for their Cognito identity, and the principal tags for the
 * identity-pool role. Least privilege, and never wider to fit the quotas ({@link IotQuotas}): grants that do not fit
 * throw {@link QuotaExceededException}.
 *
 * <h2>Topic layout (the specification; PolicyCompilerPropertyTest's model implements it independently)</h2>
 *
 * <p>A thing T has two namespaces: {@code $aws/things/T/...} (shadow documents and the other AWS reserved topics)
 * and {@code appliances/T/...} (state, events, command results, commands). The <em>thing level</em> of a topic or
 * filter under a root is the text between the root and the next '/'; a topic without a '/' after it (such as
 * {@code appliances/T}) is in no thing's namespace.
 *
 * <ul>
 * <li><b>iot:Connect</b> on {@code client/${cognito-identity.amazonaws.com:sub}}: a user with any grant may connect,
 * only with their own identity id as client id. A user with no grant gets no policy at all.</li>
 * <li><b>VIEW on T</b>: iot:Receive on {@code topic/R/T/*} and iot:Subscribe on {@code topicfilter/R/T/*} for both
 * roots R. IoT checks Subscribe against the filter <em>as sent</em>, '+' and '#' being plain characters there, so a
 * filter is allowed exactly when its text lies in T's namespace ({@code $aws/things/T/#},
 * {@code appliances/T/+/x}); it can only match topics of T (MQTT wildcards cannot change the levels before them), and
 * every message it delivers is checked again against Receive. {@code #}, {@code appliances/+/state} and
 * {@code $aws/things/+/...} are in no thing's namespace, so they are refused.</li>
 * <li><b>ADJUST_SETTINGS on T</b>: iot:Publish on exactly {@code topic/$aws/things/T/shadow/update} (the classic
 * shadow; named shadows, jobs and the rest of the reserved topics are not part of it).</li>
 * <li><b>COMMAND on T</b>: iot:Publish on exactly {@code topic/appliances/T/commands}.</li>
 * <li>Nothing else: no iot:RetainPublish, no publishing by VIEW, settings never reach the command topic nor the
 * other way round.</li>
 * </ul>
 *
 * <h3>Household grants (seed 004's prefix wildcards)</h3>
 *
 * <p>A household grant holds for every thing of the household, present and future: every thing named
 * {@code P-...} for the household's prefix P. That is exact in this system because factory names never start with
 * eight lowercase letters or digits and a '-' and prefixes are unique, so any name starting with {@code P-} is a thing
 * of household P. Deciding it for the namespace rather than the current things means an appliance added to the
 * household is reachable without a policy change (policy changes take minutes to reach live connections) and keeps the
 * documents the size of one thing per household. So:
 *
 * <ul>
 * <li><b>VIEW</b>: {@code topic/R/P-*}{@code /*} and {@code topicfilter/R/P-*}{@code /*}. Because '*' crosses '/',
 * this matches exactly the topics whose thing level starts with {@code P-} and is followed by a '/': the namespaces
 * of all the household's things. A filter such as {@code $aws/things/P-+/shadow/get/accepted} is therefore allowed:
 * its thing level starts with {@code P-}, so even read as a wildcard it reaches only the household.</li>
 * <li><b>ADJUST_SETTINGS / COMMAND</b>: the wildcards {@code topic/$aws/things/P-*}{@code /shadow/update} and
 * {@code topic/appliances/P-*}{@code /commands} match more than the specification: '*' may swallow further levels
 * ({@code $aws/things/P-x/shadow/name/shadow/update} is the update of a named shadow called "shadow",
 * {@code $aws/things/P-x/jobs/shadow/update} a job's). Listing the household's things one by one would be exact
 * but make each household as large as all its appliances and need a policy change for each appliance added; instead
 * one Deny statement for the user carves the extra levels out: iot:Publish on
 * {@code topic/$aws/things/*}{@code /*}{@code /shadow/update} and {@code topic/appliances/*}{@code /*}{@code /commands}.
 * A specified publish topic has no '/' inside its thing level, so the Deny never matches one; every over-match of
 * the wildcards has one, so the Deny matches all of them. Allow minus Deny is exactly the specification.</li>
 * </ul>
 *
 * <p>A thing granted individually as well as through its household gets only the permissions the household does not
 * already give.
 *
 * <h2>Packing</h2>
 *
 * <p>Resources are grouped by statement kind and packed first-fit decreasing ({@link PolicyPacker}); documents are
 * named {@code <prefix><userId>-<n>} from 1. Equal grants in any order compile to identical documents and names.
 */
public final class IotPolicyCompiler {

    private static final String CONNECT_RESOURCE = "client/${cognito-identity.amazonaws.com:sub}";

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
        items.add(new PolicyItem(StatementKind.CONNECT, target.iotArn(CONNECT_RESOURCE)));
        grants.households().forEach((prefix, permissions) -> {
            if (permissions.contains(CloudPermission.VIEW)) {
                for (String root : TopicLayout.ROOTS) {
                    addView(items, target, TopicLayout.householdNamespace(root, prefix));
                }
            }
            addPublish(items, target, permissions, TopicLayout.householdShadowUpdate(prefix),
                    TopicLayout.householdCommands(prefix));
        });
        grants.things().forEach((thing, permissions) -> {
            if (permissions.contains(CloudPermission.VIEW)) {
                for (String root : TopicLayout.ROOTS) {
                    addView(items, target, TopicLayout.thingNamespace(root, thing));
                }
            }
            addPublish(items, target, permissions, TopicLayout.shadowUpdate(thing), TopicLayout.commands(thing));
        });
        if (householdsGrant(grants, CloudPermission.ADJUST_SETTINGS)) {
            items.add(new PolicyItem(StatementKind.PUBLISH_CARVE_OUT, target.iotArn("topic/"
                    + TopicLayout.extraLevelsBefore(TopicLayout.SHADOW_ROOT, TopicLayout.SHADOW_UPDATE))));
        }
        if (householdsGrant(grants, CloudPermission.COMMAND)) {
            items.add(new PolicyItem(StatementKind.PUBLISH_CARVE_OUT, target.iotArn("topic/"
                    + TopicLayout.extraLevelsBefore(TopicLayout.APPLIANCE_ROOT, TopicLayout.COMMANDS))));
        }
        return items;
    }

    private static void addView(List<PolicyItem> items, PolicyTarget target, String namespace) {
        items.add(new PolicyItem(StatementKind.RECEIVE, target.iotArn("topic/" + namespace)));
        items.add(new PolicyItem(StatementKind.SUBSCRIBE, target.iotArn("topicfilter/" + namespace)));
    }

    private static void addPublish(List<PolicyItem> items, PolicyTarget target, Set<CloudPermission> permissions,
            String shadowUpdate, String commands) {
        if (permissions.contains(CloudPermission.ADJUST_SETTINGS)) {
            items.add(new PolicyItem(StatementKind.PUBLISH, target.iotArn("topic/" + shadowUpdate)));
        }
        if (permissions.contains(CloudPermission.COMMAND)) {
            items.add(new PolicyItem(StatementKind.PUBLISH, target.iotArn("topic/" + commands)));
        }
    }

    private static boolean householdsGrant(EffectiveGrants grants, CloudPermission permission) {
        return grants.households().values().stream().anyMatch(set -> set.contains(permission));
    }
}
