package dev.appliancesync.realtime.graphql;

import org.eclipse.microprofile.graphql.DefaultValue;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import dev.appliancesync.identity.CurrentUser;
import dev.appliancesync.realtime.ChangePaging;
import dev.appliancesync.realtime.ChangeService;
import io.smallrye.graphql.api.Subscription;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/** Everything a user may see, live and after a disconnect. */
@GraphQLApi
public class ChangesApi {

    private final CurrentUser currentUser;
    private final ChangeService changes;
    private final ChangeStreams streams;

    public ChangesApi(CurrentUser currentUser, ChangeService changes, ChangeStreams streams) {
        this.currentUser = currentUser;
        this.changes = changes;
        this.streams = streams;
    }

    @Query("changes")
    @NonNull
    @Description("Catch-up: what the `changes` subscription would have delivered after `since` (omitted: from the oldest "
            + "retained), oldest first. `limit: 0` returns no changes and the cursor of now. An expired cursor gives "
            + "CURSOR_EXPIRED: reload the current state and start from `changes(limit: 0)`.")
    public Uni<ChangePage> changes(String since, @DefaultValue(ChangePaging.DEFAULT_LIMIT) int limit) {
        return currentUser.caller().flatMap(caller -> changes.since(caller, since, limit)).map(ChangePage::of);
    }

    @Subscription("changes")
    @Description("Every change you may see, as it happens, each with its cursor. With `after` (a cursor you saw): "
            + "first every change after it that you may see, then live ones, with no gap and none twice; an expired "
            + "cursor ends it with CURSOR_EXPIRED. Without `after`, the first item is of type SUBSCRIBED, and its "
            + "cursor is where the stream starts: everything after it will come; page `changes(since:)` for what came "
            + "before.")
    public Multi<ChangeEvent> changesLive(@Description("Resume after this cursor") String after) {
        currentUser.principal();
        return streams.open(currentUser.caller(), after);
    }
}
