package dev.appliancesync.cloud.policy;

/** Whether a Cognito user may do an action on an IoT resource, which gate settled it, and each gate's decision. */
public record AccessExplanation(boolean allowed, DecidingSide decidedBy, Decision roleGate, Decision iotPolicies) {
}
