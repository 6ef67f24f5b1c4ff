package dev.appliancesync.cloud.gateway;

/** An IoT policy as GetPolicy sees it: its default version, which is the one in force. */
public record PolicyState(String name, String defaultVersionId, String defaultDocument) {
}
