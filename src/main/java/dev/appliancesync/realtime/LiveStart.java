package dev.appliancesync.realtime;

import dev.appliancesync.change.ChangeType;
import dev.appliancesync.change.Cursors.Position;

/**
 * Where a live stream starts.
 *
 * @param after the client's cursor: the stream replays every entry after it from the log, then goes on live, with
 *        no gap and no repeat; null: from the moment the subscription arrives
 * @param announce whether the stream's first item tells the client the cursor it starts at ({@link ChangeType#SUBSCRIBED}),
 *        so that a client catching up by pages knows how far it has to page
 */
public record LiveStart(Position after, boolean announce) {

    /** From now on, without a word. */
    public static final LiveStart NOW = new LiveStart(null, false);

    /** From now on, first saying where "now" is. */
    public static final LiveStart ANNOUNCED = new LiveStart(null, true);

    /** Everything after {@code cursor}: what the client missed, then live. */
    public static LiveStart after(Position cursor) {
        return new LiveStart(cursor, false);
    }
}
