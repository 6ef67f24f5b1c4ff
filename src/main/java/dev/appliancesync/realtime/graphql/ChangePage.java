package dev.appliancesync.realtime.graphql;

import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.NonNull;

import dev.appliancesync.realtime.ChangeService;

@Description("A page of catch-up: the changes after a cursor, oldest first")
public record ChangePage(
        @NonNull List<@NonNull ChangeEvent> changes,
        @NonNull @Description("Pass it as `since` for the next page (it may be past the last change listed: entries you may not see are skipped)") String cursor,
        @NonNull @Description("True if asking again from `cursor` would return more right now") boolean hasMore) {

    public static ChangePage of(ChangeService.Page page) {
        return new ChangePage(page.changes().stream().map(ChangeEvent::of).toList(), page.cursor(), page.hasMore());
    }
}
