package dev.appliancesync.cloud.policy;

import java.util.Map;

/**
 * "May this Cognito user do this action on this resource?": allowed when the identity pool's role policy (with the
 * user's principal tags) and the user's IoT policies both allow, as AWS decides it.
 */
public final class CloudAccessCheck {

    private final IotPolicyEvaluator iotPolicies;
    private final IamRoleGate roleGate;

    public CloudAccessCheck(IotPolicyEvaluator iotPolicies, IamRoleGate roleGate) {
        this.iotPolicies = iotPolicies;
        this.roleGate = roleGate;
    }

    /** One user's compiled access, parsed once, for many questions. */
    public final class UserAccess {
        private final IotPolicySet policies;
        private final Map<String, String> principalTags;

        private UserAccess(CompiledAccess access) {
            this.policies = iotPolicies.prepare(access.policies());
            this.principalTags = access.principalTags();
        }

        /** @param variables the request's policy variables, e.g. {@code cognito-identity.amazonaws.com:sub} */
        public AccessExplanation explain(String action, String resourceArn, Map<String, String> variables) {
            Decision role = roleGate.decide(action, resourceArn, principalTags, variables);
            Decision iot = policies.decide(action, resourceArn, variables);
            DecidingSide side = !role.allowed() ? DecidingSide.ROLE_GATE
                    : !iot.allowed() ? DecidingSide.IOT_POLICIES : DecidingSide.BOTH;
            return new AccessExplanation(role.allowed() && iot.allowed(), side, role, iot);
        }

        /** The request of an app's connection, with the variables AWS resolves from it. */
        public AccessExplanation explain(String action, String resourceArn, IotConnection.CognitoIdentity connection) {
            return explain(action, resourceArn, connection.variables());
        }
    }

    public UserAccess forUser(CompiledAccess access) {
        return new UserAccess(access);
    }

    public AccessExplanation explain(CompiledAccess access, String action, String resourceArn,
            Map<String, String> variables) {
        return forUser(access).explain(action, resourceArn, variables);
    }
}
