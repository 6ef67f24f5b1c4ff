package dev.appliancesync.realtime.graphql;

import org.eclipse.microprofile.graphql.DefaultValue;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import dev.appliancesync.identity.Caller;
import dev.appliancesync.identity.CurrentUser;
import dev.appliancesync.realtime.ChangeService;
import dev.appliancesync.realtime.LiveChanges;
import dev.appliancesync.realtime.LiveFilter;
import io.smallrye.graphql.api.Subscription;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/** Everything a user may see, live and after a disconnect. */
@GraphQLApi
public class ChangesApi {

    private final CurrentUser currentUser;
    private final ChangeService changes;
    private final LiveChanges live;

    public ChangesApi(CurrentUser currentUser, ChangeService changes, LiveChanges live) {
        this.currentUser = currentUser;
        this.changes = changes;
        this.live = live;
    }

    @Query("changes")
    @NonNull
    @Description("Catch-up: what the `changes` subscription would have delivered after `since` (omitted: from the oldest "
            + "retained), oldest first. `limit: 0` returns no changes and the cursor of now. An expired cursor gives "
            + "CURSOR_EXPIRED: reload the current state and start from `changes(limit: 0)`.")
    public Uni<ChangePage> changes(String since, @DefaultValue("100") int limit) {
        return currentUser.caller().flatMap(caller -> changes.since(caller, since, limit)).map(ChangePage::of);
    }

    @Subscription("changes")
    @Description("Every change you may see, as it happens, each with its cursor. After a reconnect: subscribe again, "
            + "then page `changes(since:)` from the last cursor you saw, skipping cursors you already have.")
    public Multi<ChangeEvent> changesLive() {
        currentUser.principal();
        return live.stream(currentUser.caller().map(Caller::subject), LiveFilter.EVERYTHING, null).map(ChangeEvent::of);
    }
}
