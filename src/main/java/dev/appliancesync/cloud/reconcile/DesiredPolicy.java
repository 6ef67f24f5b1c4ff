package dev.appliancesync.cloud.reconcile;

/** An IoT policy as it should be: its name and the document its default version should hold. */
public record DesiredPolicy(String name, String document) {
}
