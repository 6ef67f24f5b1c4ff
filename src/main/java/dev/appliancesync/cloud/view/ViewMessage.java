package dev.appliancesync.cloud.view;

/** One message of the view: where it goes and its JSON. */
public record ViewMessage(String topic, byte[] payload) {
}
