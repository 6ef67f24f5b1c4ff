package dev.appliancesync.cloud.graphql;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.NonNull;

import dev.appliancesync.cloud.policy.Decision;

@Description("What AWS would answer to one IoT request of a user, and why")
public record AccessExplanation(
        @NonNull boolean allowed,
        @NonNull @Description("ROLE_GATE (the identity pool role with principal tags), IOT_POLICIES, or BOTH when both allow")
        String decidedBy,
        @NonNull @Description("The identity pool role policy's answer") PolicyDecision roleGate,
        @NonNull @Description("The user's IoT policies' answer") PolicyDecision iotPolicies) {

    @Description("One gate's answer and the statement that decided it (none for an implicit deny)")
    public record PolicyDecision(
            @NonNull boolean allowed,
            @NonNull @Description("ALLOW, EXPLICIT_DENY or IMPLICIT_DENY") String reason,
            String policyName,
            @Description("The deciding statement's index in its policy, from 0") Integer statementIndex,
            String statementSid) {

        static PolicyDecision of(Decision decision) {
            return new PolicyDecision(decision.allowed(), decision.reason(), decision.policyName(),
                    decision.statementIndex() < 0 ? null : decision.statementIndex(), decision.statementSid());
        }
    }

    static AccessExplanation of(dev.appliancesync.cloud.policy.AccessExplanation explanation) {
        return new AccessExplanation(explanation.allowed(), explanation.decidedBy().name(),
                PolicyDecision.of(explanation.roleGate()), PolicyDecision.of(explanation.iotPolicies()));
    }
}
