package dev.appliancesync.appliance;

import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import dev.appliancesync.common.metrics.ServiceMetrics;
import io.micrometer.core.instrument.Counter;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The rate limit on guessing claim codes, as a counter that cannot be raced: in the claim's own transaction, the
 * caller's attempts are serialised (an advisory lock on the user), their recent wrong codes counted, and this attempt
 * written down <em>before</em> the code is compared. So however many claims one account sends at once, at most
 * {@link ClaimConfig#maxFailuresPerUser()} codes are checked per window. Only the account is limited, never the serial
 * number: a limit per serial number would let anyone lock the buyer out of their own appliance.
 */
@ApplicationScoped
public class ClaimAttempts {

    private static final Logger LOG = Logger.getLogger(ClaimAttempts.class);
    /** A transaction-scoped lock on one user's claim attempts (a hash collision only serialises two users). */
    private static final String LOCK_USER = "select pg_advisory_xact_lock(hashtextextended('claim-attempts:' || $1, 0))";
    /** The user's wrong codes in the window, and when the oldest of them leaves it. */
    private static final String RECENT_FAILURES = """
            select count(*) as failures,
                   ceil(extract(epoch from min(attempted_at) + make_interval(secs => $2) - now()))::bigint as frees_in
            from claim_attempt
            where user_id = $1 and not succeeded and attempted_at > now() - make_interval(secs => $2)""";

    private final ClaimConfig config;
    private final Counter matched;
    private final Counter refused;
    private final Counter rateLimited;
    private final Counter serialAlerts;

    public ClaimAttempts(ClaimConfig config, ServiceMetrics metrics) {
        this.config = config;
        this.matched = metrics.claimCodeChecks("MATCHED");
        this.refused = metrics.claimCodeChecks("REFUSED");
        this.rateLimited = metrics.claimsRateLimited();
        this.serialAlerts = metrics.claimSerialAlerts();
    }

    /**
     * Admits one code check for {@code user}, or fails with RATE_LIMITED. The attempt is recorded as a wrong code
     * until {@link #matched} says otherwise, so a check is counted even if the caller gives up half-way. Call before
     * comparing the code, in the transaction that compares it; the returned id is the attempt's.
     */
    public Uni<Long> admit(SqlConnection tx, UUID user, String serialNumber) {
        double window = config.window().toSeconds();
        return tx.preparedQuery(LOCK_USER).execute(Tuple.of(user.toString()))
                .flatMap(locked -> tx.preparedQuery(RECENT_FAILURES).execute(Tuple.of(user, window)))
                .flatMap(rows -> {
                    Row row = rows.iterator().next();
                    if (row.getLong("failures") >= config.maxFailuresPerUser()) {
                        rateLimited.increment();
                        long retryAfter = Math.max(1, row.getLong("frees_in"));
                        return Uni.createFrom().failure(new ApiException(ErrorCode.RATE_LIMITED,
                                "Too many wrong claim codes; try again later", Map.of("retryAfterSeconds", retryAfter)));
                    }
                    return tx.preparedQuery("insert into claim_attempt (user_id, serial_number, succeeded) "
                                    + "values ($1, $2, false) returning id")
                            .execute(Tuple.of(user, serialNumber))
                            .map(inserted -> inserted.iterator().next().getLong("id"));
                });
    }

    /** The code of attempt {@code attempt} was right: it no longer counts against its user. */
    public Uni<Void> matched(SqlConnection tx, long attempt) {
        matched.increment();
        return tx.preparedQuery("update claim_attempt set succeeded = true where id = $1")
                .execute(Tuple.of(attempt)).replaceWithVoid();
    }

    /**
     * The code was wrong, or the serial number unknown (the attempt stays counted). Wrong codes on one serial number
     * from many accounts are a signal, never a lock: a warning and {@value ServiceMetrics#CLAIM_SERIAL_ALERTS} every
     * serial-alert-failures of them.
     */
    public Uni<Void> refused(SqlConnection tx, String serialNumber) {
        refused.increment();
        return tx.preparedQuery("""
                        select count(*) as failures, count(distinct user_id) as accounts from claim_attempt
                        where serial_number = $1 and not succeeded and attempted_at > now() - make_interval(secs => $2)""")
                .execute(Tuple.of(serialNumber, (double) config.window().toSeconds()))
                .invoke(rows -> {
                    Row row = rows.iterator().next();
                    long failures = row.getLong("failures");
                    if (failures % config.serialAlertFailures() == 0) {
                        serialAlerts.increment();
                        LOG.warnf("Serial number %s: %d wrong claim codes from %d accounts within %s; someone may be "
                                + "guessing its code", serialNumber, failures, row.getLong("accounts"), config.window());
                    }
                })
                .replaceWithVoid();
    }

}
