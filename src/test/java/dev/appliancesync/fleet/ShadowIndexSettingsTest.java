package dev.appliancesync.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;

/**
 * Fleet search's GIN indexes on device_state keep a short pending list (V17): with the default 4 MB, merging it fell
 * to a device batch every few seconds and held the serial ingestion path for hundreds of milliseconds. fastupdate stays
 * on: without a pending list every shadow update pays the index in full.
 */
@QuarkusTest
class ShadowIndexSettingsTest {

    private static final Duration BOUND = Duration.ofSeconds(10);

    @Inject
    Pool pool;

    @Test
    void theShadowIndexesMergeTheirPendingListInSmallSteps() {
        List<String> settings = new ArrayList<>();
        for (Row row : pool.query("""
                        select c.relname, coalesce(array_to_string(c.reloptions, ','), '') as options
                        from pg_class c join pg_am am on am.oid = c.relam
                        where c.relname in ('device_state_reported_path_idx', 'device_state_desired_path_idx')
                          and am.amname = 'gin'
                        order by c.relname""")
                .execute().await().atMost(BOUND)) {
            settings.add(row.getString("relname") + " " + row.getString("options"));
        }
        assertThat(settings).containsExactly(
                "device_state_desired_path_idx gin_pending_list_limit=512",
                "device_state_reported_path_idx gin_pending_list_limit=512");
    }
}
