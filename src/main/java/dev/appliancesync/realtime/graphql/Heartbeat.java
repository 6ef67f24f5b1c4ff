package dev.appliancesync.realtime.graphql;

import java.time.OffsetDateTime;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.NonNull;

@Description("A sign of life on an open subscription connection")
public record Heartbeat(
        @NonNull @Description("Server time when it was sent") OffsetDateTime at,
        @NonNull @Description("1 for the first heartbeat of this subscription, then counting up") int sequence,
        @NonNull @Description("The username the connection is authenticated as") String username) {
}
