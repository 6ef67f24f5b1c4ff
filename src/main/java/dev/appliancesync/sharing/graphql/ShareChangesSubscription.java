package dev.appliancesync.sharing.graphql;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;

import dev.appliancesync.change.Audience;
import dev.appliancesync.change.Cursors;
import dev.appliancesync.identity.Caller;
import dev.appliancesync.identity.CurrentUser;
import dev.appliancesync.realtime.LiveChanges;
import dev.appliancesync.realtime.LiveFilter;
import dev.appliancesync.realtime.LiveStart;
import io.smallrye.graphql.api.Subscription;
import io.smallrye.mutiny.Multi;

@GraphQLApi
public class ShareChangesSubscription {

    private static final LiveFilter SHARING = LiveFilter.ofTypes(ShareChangeType.changeTypes(), null);

    private final CurrentUser currentUser;
    private final LiveChanges live;

    public ShareChangesSubscription(CurrentUser currentUser, LiveChanges live) {
        this.currentUser = currentUser;
        this.live = live;
    }

    @Subscription("shareChanges")
    @Description("Shares granted, changed, revoked or expired, invitations and ownership transfers that concern you. "
            + "With `after` (a cursor you saw), first those after it, then live ones, with no gap and none twice; an "
            + "expired cursor ends it with CURSOR_EXPIRED.")
    public Multi<ShareChange> shareChanges(@Description("Resume after this cursor") String after) {
        currentUser.principal();
        LiveStart start = after == null ? LiveStart.NOW : LiveStart.after(Cursors.parse(after));
        return live.stream(currentUser.caller().map(Caller::subject), SHARING, null, start)
                // Addressed to you; an appliance's own entry of the same event would say it twice.
                .select().where(change -> change.audience() == Audience.USER)
                .map(ShareChange::of);
    }
}
