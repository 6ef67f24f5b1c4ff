package dev.appliancesync.sharing.graphql;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;

import dev.appliancesync.identity.CurrentUser;
import io.smallrye.graphql.api.Subscription;
import io.smallrye.mutiny.Multi;

@GraphQLApi
public class ShareChangesSubscription {

    private final CurrentUser currentUser;
    private final ShareChangeStreams streams;

    public ShareChangesSubscription(CurrentUser currentUser, ShareChangeStreams streams) {
        this.currentUser = currentUser;
        this.streams = streams;
    }

    @Subscription("shareChanges")
    @Description("Shares granted, changed, revoked or expired, invitations and ownership transfers that concern you. "
            + "With `after` (a cursor you saw), first those after it, then live ones, with no gap and none twice; an "
            + "expired cursor ends it with CURSOR_EXPIRED.")
    public Multi<ShareChange> shareChanges(@Description("Resume after this cursor") String after) {
        currentUser.principal();
        return streams.open(currentUser.caller(), after);
    }
}
