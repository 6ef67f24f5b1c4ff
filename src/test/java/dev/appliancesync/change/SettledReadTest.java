package dev.appliancesync.change;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.appliancesync.change.Cursors.Position;
import dev.appliancesync.common.db.Transactions;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;

/**
 * The live feed's read ({@link ChangeLog#settledAfter}): an entry committed behind an older transaction that is still
 * running is not read (a reader that moved past it could miss the older one's entries), and the read says that one is
 * waiting, because the older transaction's end wakes nobody when it appends no entry of its own (an ANALYZE, a NOTIFY,
 * a write outside the log). Once the older one ends, the entry is read.
 */
@QuarkusTest
class SettledReadTest {

    private static final Duration BOUND = Duration.ofSeconds(10);

    @Inject
    ChangeLog log;

    @Inject
    Transactions db;

    @Inject
    Pool pool;

    @Test
    void anEntryBehindAnOlderRunningTransactionIsHeldBackAndSaidToBeUntilThatOneEnds() {
        Position before = log.head(db.reads()).await().atMost(BOUND);
        UUID user = UUID.randomUUID();
        SqlConnection older = pool.getConnection().await().atMost(BOUND);
        try {
            Transaction running = older.begin().await().atMost(BOUND);
            // A transaction id, as any write takes, and no change-log entry: its end signals nothing.
            older.query("select pg_current_xact_id()").execute().await().atMost(BOUND);
            db.inTransaction(tx -> log.append(tx, Change.forUser(user, ChangeType.PREFERENCES_CHANGED,
                    new JsonObject().put("n", 1)))).await().atMost(BOUND);

            ChangeLog.Settled whileRunning = log.settledAfter(db.reads(), before, 500).await().atMost(BOUND);
            assertThat(ofUser(whileRunning.entries(), user)).as("read while the older transaction runs").isEmpty();
            assertThat(whileRunning.heldBack()).as("held back").isTrue();

            running.commit().await().atMost(BOUND);
            // Awaited, not read once: the service's own background transactions may hold it back a moment too.
            await().atMost(BOUND).untilAsserted(() -> {
                ChangeLog.Settled afterwards = log.settledAfter(db.reads(), before, 500).await().atMost(BOUND);
                assertThat(ofUser(afterwards.entries(), user)).as("read once it ended").hasSize(1);
                assertThat(afterwards.entries()).as("in log order")
                        .isSortedAccordingTo(Comparator.comparing(ChangeRecord::position));
            });
        } finally {
            older.close().await().atMost(BOUND);
        }
    }

    private static List<ChangeRecord> ofUser(List<ChangeRecord> entries, UUID user) {
        return entries.stream().filter(entry -> user.equals(entry.userId())).toList();
    }
}
