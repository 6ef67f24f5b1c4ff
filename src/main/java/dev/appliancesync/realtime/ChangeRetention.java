package dev.appliancesync.realtime;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;

import org.jboss.logging.Logger;

import dev.appliancesync.change.Change;
import dev.appliancesync.change.ChangeLog;
import dev.appliancesync.change.RetainedWithChanges;
import dev.appliancesync.common.db.Transactions;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.SqlClient;

/**
 * Deletes change-log entries older than the retention (default 7 days) and moves the horizon past them, so an older
 * cursor gets CURSOR_EXPIRED, and with them the older records of every {@link RetainedWithChanges}. Any instance may
 * run it; a transaction-scoped advisory lock lets one at a time do so.
 */
@ApplicationScoped
public class ChangeRetention {

    private static final Logger LOG = Logger.getLogger(ChangeRetention.class);
    /** Arbitrary, fixed: the advisory lock only retention takes. */
    private static final long LOCK = 0x6170_7073_796e_6301L;

    private final Transactions db;
    private final ChangeLog log;
    private final List<RetainedWithChanges> alongside;
    private final RealtimeConfig config;
    private final Vertx vertx;
    private long timer = -1;

    public ChangeRetention(Transactions db, ChangeLog log, Instance<RetainedWithChanges> alongside,
            RealtimeConfig config, Vertx vertx) {
        this.db = db;
        this.log = log;
        this.alongside = alongside.stream().toList();
        this.config = config;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent started) {
        timer = vertx.getDelegate().setPeriodic(config.retentionInterval().toMillis(),
                tick -> run().subscribe().with(gone -> { },
                        failure -> LOG.warnf("Change-log retention failed (next run retries): %s", failure.getMessage())));
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (timer >= 0) {
            vertx.getDelegate().cancelTimer(timer);
        }
    }

    /** Runs retention once; the number of entries deleted (0 if another instance was doing it). */
    public Uni<Long> run() {
        return db.inTransaction(tx -> tx.preparedQuery("select pg_try_advisory_xact_lock($1) as mine")
                .execute(io.vertx.mutiny.sqlclient.Tuple.of(LOCK))
                .flatMap(rows -> rows.iterator().next().getBoolean("mine")
                        ? log.forgetOlderThan(tx, config.retention()).call(gone -> forgetAlongside(tx))
                        : Uni.createFrom().item(0L)))
                .invoke(gone -> {
                    if (gone > 0) {
                        LOG.infof("Change log: %d entries older than %s deleted", gone, config.retention());
                    }
                });
    }

    private Uni<Void> forgetAlongside(SqlClient tx) {
        return Multi.createFrom().iterable(alongside).onItem()
                .transformToUniAndConcatenate(records -> records.forgetOlderThan(tx, config.retention())
                        .invoke(gone -> {
                            if (gone > 0) {
                                LOG.infof("%s: %d older than %s deleted", records.what(), gone, config.retention());
                            }
                        }))
                .collect().last().replaceWithVoid();
    }
}
