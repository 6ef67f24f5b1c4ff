package dev.appliancesync.realtime.graphql;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

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

/** The {@code changes} stream, for its resolver ({@link ChangesApi}) and the multiplexed path alike. */
@ApplicationScoped
public class ChangeStreams implements LiveField {

    private final LiveChanges live;
    /** One item per visible change, shared by every subscriber it goes to (their frames are rendered once). */
    private final IdentityMemo<ChangeRecord, ChangeEvent> items = new IdentityMemo<>(16);

    public ChangeStreams(LiveChanges live) {
        this.live = live;
    }

    @Override
    public String name() {
        return "changes";
    }

    @Override
    public Class<ChangeEvent> itemType() {
        return ChangeEvent.class;
    }

    @Override
    public Multi<ChangeEvent> open(Uni<Caller> caller, Map<String, Object> arguments) {
        return open(caller, (String) arguments.get("after"));
    }

    /** Every change the caller may see, after the cursor {@code after} or (null) from now, announced. */
    Multi<ChangeEvent> open(Uni<Caller> caller, String after) {
        // Thrown, not returned as a failed stream: SmallRye then answers with the protocol's error message.
        LiveStart start = after == null ? LiveStart.ANNOUNCED : LiveStart.after(Cursors.parse(after));
        return live.stream(caller.map(Caller::subject), LiveFilter.EVERYTHING, null, start,
                () -> change -> items.get(change, ChangeEvent::of));
    }
}
