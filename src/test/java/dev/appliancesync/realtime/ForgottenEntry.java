package dev.appliancesync.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;

import dev.appliancesync.change.Cursors.Position;
import dev.appliancesync.support.Database;

/**
 * An entry of a user's that retention has just deleted, for tests of expired cursors: a cursor just before it has
 * missed it (CURSOR_EXPIRED), and the log's horizon is its position.
 */
record ForgottenEntry(Position position) {

    /** Writes an entry eight days old for {@code userId} and runs retention (seven days), which deletes it. */
    static ForgottenEntry of(Database database, ChangeRetention retention, UUID userId) {
        long seq = database.number("""
                insert into change_log (audience, user_id, type, payload, created_at)
                values ('USER', $1, 'PREFERENCES_CHANGED', '{}'::jsonb, now() - interval '8 days') returning seq""", userId);
        long txId = database.number("select tx_id::text::bigint from change_log where seq = $1", seq);
        assertThat(retention.run().await().atMost(Duration.ofSeconds(10))).isPositive();
        return new ForgottenEntry(new Position(txId, seq));
    }

    /** A cursor from before the entry: it missed what retention took. */
    Position justBefore() {
        return new Position(position.txId(), position.seq() - 1);
    }
}
