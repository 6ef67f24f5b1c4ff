package dev.appliancesync.realtime;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.change.ChangeLog;
import dev.appliancesync.change.ChangeRecord;
import dev.appliancesync.change.Cursors.Position;
import dev.appliancesync.change.Cursors;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.identity.Caller;
import io.smallrye.mutiny.Uni;

/** Catch-up: the changes a user may see after a cursor, a page at a time, by the same rule the live stream uses. */
@ApplicationScoped
public class ChangeService {

    private final Transactions db;
    private final ChangeLog log;
    private final AccessViews views;
    private final ChangeVisibility visibility;
    private final RealtimeConfig config;

    public ChangeService(Transactions db, ChangeLog log, AccessViews views, ChangeVisibility visibility,
            RealtimeConfig config) {
        this.db = db;
        this.log = log;
        this.views = views;
        this.visibility = visibility;
        this.config = config;
    }

    /** A page of changes and where to go on from. */
    public record Page(List<ChangeRecord> changes, String cursor, boolean hasMore) {
    }

    /**
     * Changes after {@code since} (null: from the oldest retained), oldest first, at most {@code limit}. With limit 0,
     * no changes and the cursor of "now": where a client that has just read the current state starts from.
     */
    public Uni<Page> since(Caller caller, String since, int limit) {
        if (limit < 0 || limit > config.maxPageSize()) {
            return Uni.createFrom().failure(ApiException.validation("limit must be between 0 and " + config.maxPageSize()));
        }
        Position after;
        try {
            after = since == null ? null : Cursors.parse(since);
        } catch (ApiException invalid) {
            return Uni.createFrom().failure(invalid);
        }
        // One read of both ends: where "now" is, whether the cursor is in the log, and where "from the start" is.
        return log.ends(db.reads()).flatMap(ends -> {
            if (limit == 0) {
                // After a quiet week retention may have taken the newest entries too: never answer before the horizon.
                return Uni.createFrom().item(new Page(List.of(),
                        Cursors.of(after == null ? ends.last() : Position.later(ends.last(), after)), false));
            }
            if (after != null) {
                ends.require(after);
            }
            return views.load(caller.subject()).flatMap(view -> page(view, after, ends.horizon(), limit));
        });
    }

    private Uni<Page> page(AccessView view, Position after, Position horizon, int limit) {
        Position from = after == null ? horizon : after;
        return log.afterFor(db.reads(), from, view.userId(), view.appliances().keySet(),
                        view.households().keySet(), limit + 1)
                // Checked after reading: retention that ran meanwhile has moved the horizon past what is gone.
                .call(ignored -> after == null ? Uni.createFrom().voidItem() : log.requireRetained(db.reads(), after))
                .map(candidates -> {
                    boolean more = candidates.size() > limit;
                    List<ChangeRecord> examined = more ? candidates.subList(0, limit) : candidates;
                    List<ChangeRecord> visible = new ArrayList<>(examined.size());
                    examined.forEach(change -> visibility.visible(view, change).ifPresent(visible::add));
                    Position last = examined.isEmpty() ? from : examined.get(examined.size() - 1).position();
                    return new Page(visible, Cursors.of(last), more);
                });
    }
}
