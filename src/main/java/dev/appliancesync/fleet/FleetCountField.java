package dev.appliancesync.fleet;

import org.eclipse.microprofile.graphql.Description;

/** What fleet counts can be grouped by, besides a shadow attribute. */
@Description("A column of the fleet to count by")
public enum FleetCountField {
    TYPE, FIRMWARE_VERSION, ONLINE, HOUSEHOLD
}
