package dev.appliancesync.fleet.graphql;

import java.time.OffsetDateTime;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;

import dev.appliancesync.fleet.FleetGroupStreams;

@Name("FleetGroupChange")
@Description("An appliance entering or leaving a fleet group; the first item of a subscription is SUBSCRIBED")
public record FleetGroupChangeNode(
        @NonNull FleetGroupChangeKind kind,
        @NonNull @Id String groupId,
        @Id @Description("The appliance (null on SUBSCRIBED)") String applianceId,
        @Description("Its thing name (null on SUBSCRIBED)") String thingName,
        @Description("true: it entered the group; false: it left (null on SUBSCRIBED)") Boolean entered,
        @NonNull @Description("When its shadow or presence change was stored, or when the subscription started")
        OffsetDateTime at) {

    @Name("FleetGroupChangeKind")
    public enum FleetGroupChangeKind {
        /** Nothing happened: from here on, no entering or leaving is missed. */
        SUBSCRIBED,
        ENTERED,
        LEFT
    }

    static FleetGroupChangeNode of(String groupId, FleetGroupStreams.Item item) {
        if (item.change() == null) {
            return new FleetGroupChangeNode(FleetGroupChangeKind.SUBSCRIBED, groupId, null, null, null,
                    item.subscribedAt());
        }
        var c = item.change();
        return new FleetGroupChangeNode(c.entered() ? FleetGroupChangeKind.ENTERED : FleetGroupChangeKind.LEFT,
                c.groupId().toString(), c.applianceId().toString(), c.thingName(), c.entered(), c.at());
    }
}
