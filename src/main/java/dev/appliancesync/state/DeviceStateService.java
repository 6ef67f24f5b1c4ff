package dev.appliancesync.state;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.change.Audience;
import dev.appliancesync.change.Change;
import dev.appliancesync.change.ChangeLog;
import dev.appliancesync.change.ChangeRecord;
import dev.appliancesync.change.ChangeType;
import dev.appliancesync.change.Cursors.Position;
import dev.appliancesync.common.db.Transactions;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * The latest device shadow per appliance and shadow name, latest-wins by shadow version: a version that is not newer
 * than the stored one changes nothing and announces nothing, whatever order the reports arrive in. Every state that
 * is stored is announced (DEVICE_STATE) to whoever may view the appliance.
 */
@ApplicationScoped
public class DeviceStateService {

    private final Transactions db;
    private final ShadowRepository shadows;
    private final ChangeLog changes;
    private final PresenceRepository presence;

    public DeviceStateService(Transactions db, ShadowRepository shadows, ChangeLog changes,
            PresenceRepository presence) {
        this.db = db;
        this.shadows = shadows;
        this.changes = changes;
        this.presence = presence;
    }

    /** Whether each of these appliances' devices is connected; absent before its first lifecycle event. */
    public Uni<Map<UUID, PresenceRepository.Presence>> presence(Collection<UUID> applianceIds) {
        return presence.of(db.reads(), applianceIds);
    }

    /** A shadow as a device (or IoT Core) reported it. */
    public record Report(UUID applianceId, String shadowName, JsonObject reported, JsonObject desired, long version,
            OffsetDateTime reportedAt) {
    }

    /** A reported shadow; true if it was newer than the stored one and is now the current state. */
    public Uni<Boolean> record(UUID applianceId, String shadowName, JsonObject reported, JsonObject desired,
            long version, OffsetDateTime reportedAt) {
        Report report = new Report(applianceId, shadowName, reported, desired, version, reportedAt);
        return db.inTransaction(tx -> record(tx, List.of(report))).map(stored -> stored == 1);
    }

    /**
     * Stores the reports that are newer than what is stored and announces each, in the caller's transaction; returns
     * how many were stored. Several reports of one shadow in one call: only the newest counts.
     */
    public Uni<Integer> record(SqlConnection tx, List<Report> reports) {
        Map<String, Report> newest = new LinkedHashMap<>();
        for (Report report : reports) {
            newest.merge(report.applianceId() + "/" + report.shadowName(), report,
                    (a, b) -> a.version() >= b.version() ? a : b);
        }
        if (newest.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return shadows.storeNewer(tx, newest.values()).flatMap(storedShadows -> {
            List<Change> stored = storedShadows.stream()
                    .map(shadow -> Change.forAppliance(shadow.applianceId(), ChangeType.DEVICE_STATE, payload(shadow)))
                    .toList();
            return changes.append(tx, stored).replaceWith(stored.size());
        });
    }

    /** The stored state of these appliances, as DEVICE_STATE entries (not from the log: they have no cursor). */
    public Uni<List<ChangeRecord>> current(Collection<UUID> applianceIds) {
        if (applianceIds.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return shadows.of(db.reads(), applianceIds)
                .map(stored -> {
                    List<ChangeRecord> current = new ArrayList<>();
                    for (ShadowRepository.Shadow shadow : stored) {
                        current.add(new ChangeRecord(Position.START, Audience.APPLIANCE, null, shadow.applianceId(),
                                null, ChangeType.DEVICE_STATE, payload(shadow), shadow.updatedAt()));
                    }
                    return current;
                });
    }

    /** The one shape of a state, in the log and in the first items of a subscription. */
    private static JsonObject payload(ShadowRepository.Shadow shadow) {
        OffsetDateTime reportedAt = shadow.reportedAt();
        return new JsonObject()
                .put("applianceId", shadow.applianceId().toString())
                .put("shadowName", shadow.shadowName())
                .put("version", shadow.version())
                .put("reported", shadow.reported())
                .put("desired", shadow.desired())
                .put("reportedAt", reportedAt == null ? null : reportedAt.toString())
                .put("updatedAt", shadow.updatedAt().toString());
    }
}
