package dev.appliancesync.cloud.policy;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Evaluates the identity pool's role policy ({@link IdentityPoolRolePolicy}) for an IoT request made with a user's
 * principal tags: they are the {@code aws:PrincipalTag/<key>} condition keys and {@code ${aws:PrincipalTag/<key>}}
 * variables. Same matching and conditions as {@link IotPolicySet}: explicit Deny wins, default deny.
 */
public final class IamRoleGate {

    /** The name decisions carry for the role policy. */
    public static final String POLICY_NAME = "identity-pool-authenticated-role";
    private static final String PRINCIPAL_TAG = "aws:PrincipalTag/";

    private final List<ParsedPolicy> rolePolicy;

    public IamRoleGate(String rolePolicyDocument) {
        this.rolePolicy = List.of(PolicyParser.parse(POLICY_NAME, rolePolicyDocument));
    }

    /** The gate of this deployment's role policy. */
    public static IamRoleGate forTarget(PolicyTarget target) {
        return new IamRoleGate(IdentityPoolRolePolicy.render(target));
    }

    public Decision decide(String action, String resourceArn, Map<String, String> principalTags,
            Map<String, String> variables) {
        Function<String, String> tags = PolicyEvaluation.context(principalTags);
        Function<String, String> others = PolicyEvaluation.context(variables);
        Function<String, String> context = name -> name.regionMatches(true, 0, PRINCIPAL_TAG, 0, PRINCIPAL_TAG.length())
                ? tags.apply(name.substring(PRINCIPAL_TAG.length()))
                : others.apply(name);
        return PolicyEvaluation.decide(rolePolicy, action, resourceArn, context);
    }
}
