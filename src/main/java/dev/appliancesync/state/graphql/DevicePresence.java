package dev.appliancesync.state.graphql;

import java.time.OffsetDateTime;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.NonNull;

@Description("Whether the device is connected to IoT Core, as its last lifecycle event said")
public record DevicePresence(
        @NonNull boolean online,
        @NonNull @Description("When the device was last seen connected or disconnecting") OffsetDateTime lastSeenAt) {
}
