package dev.appliancesync.cloud.policy;

/**
 * What a user may do with an appliance through AWS IoT Core directly (MQTT over WebSocket with Cognito credentials).
 * The topics each one opens are specified on {@link IotPolicyCompiler}.
 */
public enum CloudPermission {
    /** Subscribe to and receive the thing's topics (shadow documents, state, events, command results). */
    VIEW,
    /** Publish the classic shadow update. */
    ADJUST_SETTINGS,
    /** Publish to the thing's command topic. */
    COMMAND
}
