package dev.appliancesync.cloud.view;

/** Where an appliance's view messages go: its thing name, and its household's thing prefix if it is in one. */
public record Placement(String thingName, String householdPrefix) {
}
