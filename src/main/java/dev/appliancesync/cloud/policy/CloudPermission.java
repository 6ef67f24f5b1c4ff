package dev.appliancesync.cloud.policy;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

import dev.appliancesync.cloud.topics.AppTopics;

/**
 * What a user may read of an appliance through AWS IoT Core directly (MQTT over WebSocket with Cognito credentials).
 * Apps never publish on IoT Core: settings and commands go through the API, which decides each one. The topics each
 * permission opens are specified on {@link IotPolicyCompiler}.
 */
public enum CloudPermission {
    /** VIEW_STATUS: receive the appliance's status view (reported state, presence, events; never desired). */
    VIEW(AppTopics.Channel.STATUS),
    /** ADJUST_SETTINGS: receive the appliance's settings view (the desired state). */
    ADJUST_SETTINGS(AppTopics.Channel.SETTINGS);

    private final AppTopics.Channel channel;

    CloudPermission(AppTopics.Channel channel) {
        this.channel = channel;
    }

    /** The view channel this permission opens. */
    public AppTopics.Channel channel() {
        return channel;
    }

    /** The view channels these permissions open, always in the same order (so compiled documents are stable). */
    public static List<AppTopics.Channel> channels(Set<CloudPermission> permissions) {
        return Arrays.stream(values()).filter(permissions::contains).map(CloudPermission::channel).toList();
    }
}
