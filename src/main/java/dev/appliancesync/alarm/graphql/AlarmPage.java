package dev.appliancesync.alarm.graphql;

import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.NonNull;

@Description("A page of open alarms, ordered by id")
public record AlarmPage(@NonNull List<@NonNull AlarmType> alarms,
        @Description("Pass it as `after` for the next page; null when there are no alarms on this page") String cursor,
        @NonNull Boolean hasMore) {
}
