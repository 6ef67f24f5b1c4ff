package dev.appliancesync.cloud.sync;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import dev.appliancesync.cloud.CloudConfig;
import dev.appliancesync.common.db.Transactions;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;

/**
 * Not ready while the cloud reconciler lags: a user whose access is due to be applied to AWS has waited longer than
 * {@code appliance-sync.cloud.reconcile.max-lag}. The queue is shared by every instance (leased in the database), so
 * this measures the fleet's reconciler, whichever instance runs it; it is a readiness check, never a liveness one,
 * because restarting an instance does not bring AWS back nor drain the queue faster.
 */
@Readiness
@ApplicationScoped
public class ReconcilerLagCheck implements AsyncHealthCheck {

    static final String NAME = "Cloud access reconciler lag";
    /** Due rows only (the reconciler's own claim condition), so a FAILED user waiting for its retry is not lag. */
    private static final String OLDEST_DUE = """
            select coalesce(extract(epoch from now() - min(next_attempt_at)), 0)::float8 as lag_seconds, count(*) as due
            from cloud_sync_state where status <> 'IN_SYNC' and next_attempt_at <= now()""";

    private final Transactions db;
    private final Duration maxLag;

    public ReconcilerLagCheck(Transactions db, CloudConfig config) {
        this.db = db;
        this.maxLag = config.reconcile().maxLag();
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return db.reads().preparedQuery(OLDEST_DUE).execute()
                .map(rows -> rows.iterator().next())
                .map(row -> {
                    Duration lag = Duration.ofMillis(Math.round(row.getDouble("lag_seconds") * 1000));
                    return HealthCheckResponse.named(NAME).status(lag.compareTo(maxLag) <= 0)
                            .withData("oldestDueSeconds", lag.toSeconds())
                            .withData("due", row.getLong("due"))
                            .withData("maxLagSeconds", maxLag.toSeconds())
                            .build();
                })
                // The database checks say why; this one cannot tell the lag without it.
                .onFailure().recoverWithItem(failure -> HealthCheckResponse.named(NAME).down()
                        .withData("error", String.valueOf(failure.getMessage())).build());
    }
}
