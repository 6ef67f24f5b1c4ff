package dev.appliancesync.sharing.graphql;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.change.Audience;
import dev.appliancesync.change.ChangeRecord;
import dev.appliancesync.change.Cursors;
import dev.appliancesync.identity.Caller;
import dev.appliancesync.realtime.IdentityMemo;
import dev.appliancesync.realtime.LiveChanges;
import dev.appliancesync.realtime.LiveField;
import dev.appliancesync.realtime.LiveFilter;
import dev.appliancesync.realtime.LiveStart;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/** The {@code shareChanges} stream, for its resolver ({@link ShareChangesSubscription}) and the multiplexed path. */
@ApplicationScoped
public class ShareChangeStreams implements LiveField {

    private static final LiveFilter SHARING = LiveFilter.ofTypes(ShareChangeType.changeTypes(), null);

    private final LiveChanges live;
    /** One item per change, shared by the subscriptions it goes to (their frames are rendered once). */
    private final IdentityMemo<ChangeRecord, ShareChange> items = new IdentityMemo<>(16);

    public ShareChangeStreams(LiveChanges live) {
        this.live = live;
    }

    @Override
    public String name() {
        return "shareChanges";
    }

    @Override
    public Class<ShareChange> itemType() {
        return ShareChange.class;
    }

    @Override
    public Multi<ShareChange> open(Uni<Caller> caller, Map<String, Object> arguments) {
        return open(caller, (String) arguments.get("after"));
    }

    /** The sharing changes that concern the caller, after the cursor {@code after} or (null) from now. */
    Multi<ShareChange> open(Uni<Caller> caller, String after) {
        LiveStart start = after == null ? LiveStart.NOW : LiveStart.after(Cursors.parse(after));
        return live.stream(caller.map(Caller::subject), SHARING, null, start,
                // Addressed to you; an appliance's own entry of the same event would say it twice.
                () -> change -> change.audience() == Audience.USER ? items.get(change, ShareChange::of) : null);
    }
}
