package dev.appliancesync.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.appliancesync.realtime.ChangeRetention;
import dev.appliancesync.support.Database;
import io.quarkus.test.junit.QuarkusTest;

/**
 * fleet_group_event is kept as long as the change log's entries (seven days here) and deleted by the same retention
 * run: it no longer grows without bound.
 */
@QuarkusTest
class FleetGroupEventRetentionTest {

    @Inject
    FleetFixture fixture;
    @Inject
    Database database;
    @Inject
    ChangeRetention retention;

    @Test
    void eventsOlderThanTheChangeLogsRetentionAreDeletedWithItsEntries() {
        UUID household = fixture.household();
        UUID appliance = fixture.appliance(household, "FRIDGE", "1.0");
        // Marked deleted, so no other test's shadow update evaluates it; it is purged only long after this test.
        long written = database.count("""
                with g as (insert into fleet_group (name, query, type_names, created_by, deleted_at)
                           select 'retention-' || gen_random_uuid(), '{}'::jsonb, array['FRIDGE'], owner_id, now()
                           from household where id = $1 returning id),
                events as (insert into fleet_group_event (group_id, appliance_id, entered, at)
                           select g.id, $2, e.entered, now() - e.age from g,
                                  (values (true, interval '8 days'), (false, interval '6 days'), (true, interval '0'))
                                  e(entered, age)
                           returning 1)
                select count(*) from events""", household, appliance);
        assertThat(written).isEqualTo(3);

        retention.run().await().atMost(Duration.ofSeconds(10));

        assertThat(database.strings("""
                        select extract(day from now() - at)::int::text from fleet_group_event
                        where appliance_id = $1 order by at""", appliance))
                .as("days old, of the events left").containsExactly("6", "0");
    }
}
