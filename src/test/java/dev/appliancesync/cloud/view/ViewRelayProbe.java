package dev.appliancesync.cloud.view;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import dev.appliancesync.change.Cursors.Position;
import dev.appliancesync.change.Cursors;
import dev.appliancesync.support.Database;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonObject;

/** What the view relay's tests look at: its cursor row, its metrics, the change log's entries. */
record ViewRelayProbe(Database database, MeterRegistry metrics) {

    static final Duration WAIT = Duration.ofSeconds(20);

    /** The relay's cursor (START before it has started). */
    Position cursor() {
        return Cursors.parse(database.strings(
                "select coalesce(tx_id::text || '.' || seq, '0.0') from view_relay_cursor").getFirst());
    }

    double lag() {
        return metrics.get("appliance_sync.view.lag").gauge().value();
    }

    double failedPasses() {
        return metrics.get("appliance_sync.view.failed_passes").counter().count();
    }

    /**
     * The cursors of the appliance's DEVICE_STATE entries, in log order, once the state of {@code version} is logged
     * (ingestion keeps only the newest of several reports of one shadow in a batch: there may be fewer than versions).
     */
    List<String> loggedStates(String applianceId, long version) {
        await().atMost(WAIT).until(() -> database.count("""
                select count(*) from change_log where appliance_id = $1::uuid and type = 'DEVICE_STATE'
                and (payload ->> 'version')::bigint = $2""", applianceId, version) == 1);
        return database.strings("""
                select tx_id::text || '.' || seq from change_log
                where appliance_id = $1::uuid and type = 'DEVICE_STATE' order by tx_id, seq""", applianceId);
    }

    static List<String> cursorsOf(List<JsonObject> messages) {
        return messages.stream().map(m -> m.getString("cursor")).toList();
    }
}
