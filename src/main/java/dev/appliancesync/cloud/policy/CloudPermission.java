package dev.appliancesync.cloud.policy;

/**
 * What a user may read of an appliance through AWS IoT Core directly (MQTT over WebSocket with Cognito credentials).
 * Apps never publish on IoT Core: settings and commands go through the API, which decides each one. The topics each
 * permission opens are specified on {@link IotPolicyCompiler}.
 */
public enum CloudPermission {
    /** VIEW_STATUS: receive the appliance's status view (reported state, presence, events; never desired). */
    VIEW,
    /** ADJUST_SETTINGS: receive the appliance's settings view (the desired state). */
    ADJUST_SETTINGS
}
