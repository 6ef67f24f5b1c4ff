package dev.appliancesync.cloud.policy;

import java.util.List;
import java.util.Map;

/**
 * The IoT policies attached to one identity, parsed. Matching follows AWS's documentation: actions (with wildcards
 * such as {@code iot:*}) ignore case; resources are ARNs matched segment by segment, case-sensitively, with '*' (any
 * run, '/' included) and '?' (one character) as the only wildcards, '+' and '#' literal; policy variables come from
 * the request, and a statement with a variable the request has no value for does not apply; conditions use the IAM
 * string operators of {@link ConditionOperator}; an explicit Deny wins over every Allow, and nothing is allowed by
 * default. Subscribe is asked about {@code topicfilter/<filter as sent>}, Receive about {@code topic/<topic>}.
 */
public final class IotPolicySet {

    private final List<ParsedPolicy> policies;

    IotPolicySet(List<ParsedPolicy> policies) {
        this.policies = List.copyOf(policies);
    }

    public Decision decide(String action, String resourceArn, Map<String, String> variables) {
        return PolicyEvaluation.decide(policies, action, resourceArn, PolicyEvaluation.context(variables));
    }

    /** The request of a connection, with the variables AWS resolves from it (an app's identity, a device's thing). */
    public Decision decide(String action, String resourceArn, IotConnection connection) {
        return decide(action, resourceArn, connection.variables());
    }
}
