package dev.appliancesync.cloud.policy;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/** IAM's evaluation logic over a set of policies: explicit Deny wins, then any Allow, else implicit deny. */
final class PolicyEvaluation {

    private PolicyEvaluation() {
    }

    static Decision decide(List<ParsedPolicy> policies, String action, String resourceArn,
            Function<String, String> context) {
        int[] requestedAction = WildcardPattern.toCodePoints(action.toLowerCase(Locale.ROOT));
        ArnPattern.Target target = ArnPattern.Target.of(resourceArn);
        Decision allow = null;
        for (ParsedPolicy policy : policies) {
            for (ParsedStatement statement : policy.statements()) {
                if (statement.applies(requestedAction, target, context) != Match.YES) {
                    continue;
                }
                if (statement.deny()) {
                    return Decision.explicitDeny(policy, statement);
                }
                if (allow == null) {
                    allow = Decision.allow(policy, statement);
                }
            }
        }
        return allow != null ? allow : Decision.implicitDeny();
    }

    /**
     * Variables and condition keys of a request. Their names are looked up ignoring case, as IAM documents for
     * condition keys. A request has a handful of them, so a scan beats building an index per request.
     */
    static Function<String, String> context(Map<String, String> values) {
        return name -> {
            for (Map.Entry<String, String> entry : values.entrySet()) {
                if (entry.getKey().equalsIgnoreCase(name)) {
                    return entry.getValue();
                }
            }
            return null;
        };
    }
}
