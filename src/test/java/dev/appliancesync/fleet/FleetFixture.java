package dev.appliancesync.fleet;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * A fleet in the service's own PostgreSQL, written as ingestion and provisioning would leave it (appliance,
 * device_state, device_presence rows), each test in a household of its own so that searches scoped to it see only
 * its appliances, whatever other tests left in the database.
 */
@ApplicationScoped
public class FleetFixture {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Pool pool;

    public FleetFixture(Pool pool) {
        this.pool = pool;
    }

    /** A household of a fresh owner. */
    public UUID household() {
        UUID owner = pool.preparedQuery("insert into app_user (subject) values ($1) returning id")
                .execute(Tuple.of("fleet-owner-" + UUID.randomUUID())).await().atMost(TIMEOUT).iterator().next()
                .getUUID("id");
        String prefix = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        return pool.preparedQuery("insert into household (name, thing_prefix, owner_id) values ('Fleet', $1, $2) returning id")
                .execute(Tuple.of(prefix, owner)).await().atMost(TIMEOUT).iterator().next().getUUID("id");
    }

    /** An appliance of the household's owner, in the household. */
    public UUID appliance(UUID household, String type, String firmwareVersion) {
        String serial = "fleet-" + UUID.randomUUID();
        return pool.preparedQuery("""
                        insert into appliance (serial_number, appliance_type, thing_name, claim_code_hash, owner_id,
                            household_id, claimed_at, firmware_version)
                        select $1, $2, $1, repeat('0', 64), owner_id, id, now(), $4 from household where id = $3
                        returning id""")
                .execute(Tuple.of(serial, type, household, firmwareVersion)).await().atMost(TIMEOUT).iterator().next()
                .getUUID("id");
    }

    /** Its shadow {@code name}, as ingestion stores it. */
    public void shadow(UUID appliance, String name, JsonObject reported, JsonObject desired) {
        pool.preparedQuery("""
                        insert into device_state (appliance_id, shadow_name, reported, desired, shadow_version, reported_at)
                        values ($1, $2, $3, $4, 1, now())""")
                .execute(Tuple.of(appliance, name, reported, desired)).await().atMost(TIMEOUT);
    }

    public void presence(UUID appliance, boolean online, OffsetDateTime lastSeen) {
        pool.preparedQuery("insert into device_presence (appliance_id, online, last_seen_at, event_at) values ($1, $2, $3, $3)")
                .execute(Tuple.of(appliance, online, lastSeen)).await().atMost(TIMEOUT);
    }
}
