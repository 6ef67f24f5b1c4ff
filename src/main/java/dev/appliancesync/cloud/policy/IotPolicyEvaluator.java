package dev.appliancesync.cloud.policy;

import java.util.List;
import java.util.Map;

/**
 * Evaluates IoT Core policies as AWS documents them (see {@link IotPolicySet}): what no off-the-shelf tool does, and
 * what lets a test prove that a compiled policy grants nothing extra.
 */
public final class IotPolicyEvaluator {

    /** Parses the documents once, for asking many questions of the same policies. */
    public IotPolicySet prepare(List<CompiledPolicy> policies) {
        return new IotPolicySet(policies.stream().map(policy -> PolicyParser.parse(policy.name(), policy.document()))
                .toList());
    }

    /** Parses policy documents that are not compiled ones, such as the shipped device policy. */
    public IotPolicySet prepare(String name, String document) {
        return new IotPolicySet(List.of(PolicyParser.parse(name, document)));
    }

    /**
     * @param action e.g. {@code iot:Subscribe}
     * @param resourceArn e.g. {@code arn:aws:iot:us-east-1:123456789012:topicfilter/view/things/T/status}
     * @param variables policy variables of the request, e.g. {@code iot:ClientId},
     *        {@code cognito-identity.amazonaws.com:sub}
     */
    public Decision decide(List<CompiledPolicy> policies, String action, String resourceArn,
            Map<String, String> variables) {
        return prepare(policies).decide(action, resourceArn, variables);
    }
}
