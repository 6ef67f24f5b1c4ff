package dev.appliancesync.fleet;

import java.time.OffsetDateTime;
import java.util.UUID;

/** An appliance entering ({@code entered}) or leaving a group, as fleet_group_event recorded it. */
public record FleetGroupChange(UUID groupId, UUID applianceId, String thingName, boolean entered, OffsetDateTime at) {
}
