package dev.appliancesync.preference;

import static dev.appliancesync.change.ChangeType.PREFERENCES_CHANGED;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.access.Authorizer;
import dev.appliancesync.access.Capability;
import dev.appliancesync.appliance.ApplianceGuard;
import dev.appliancesync.change.Change;
import dev.appliancesync.change.ChangeLog;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import dev.appliancesync.identity.Caller;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Tuple;

/** Personal settings per user and appliance (units, presets, notifications), synced across the user's phones. */
@ApplicationScoped
public class PreferenceService {


    private final Transactions db;
    private final ApplianceGuard appliances;
    private final Authorizer authorizer;
    private final ChangeLog changes;
    private final PreferencesConfig config;

    public PreferenceService(Transactions db, ApplianceGuard appliances, Authorizer authorizer, ChangeLog changes,
            PreferencesConfig config) {
        this.db = db;
        this.appliances = appliances;
        this.authorizer = authorizer;
        this.changes = changes;
        this.config = config;
    }

    /**
     * Replaces the caller's settings for the appliance. With {@code expectedVersion} (0: none yet) a concurrent change
     * from another device gets CONFLICT with the current version instead of being overwritten; without, last wins.
     */
    public Uni<PreferencesRecord> update(Caller caller, UUID applianceId, JsonObject settings, Long expectedVersion) {
        int size = settings.encode().getBytes(StandardCharsets.UTF_8).length;
        if (size > config.maxBytes()) {
            throw new ApiException(ErrorCode.VALIDATION, "Settings are " + size + " bytes; at most " + config.maxBytes(),
                    Map.of("maxBytes", config.maxBytes()));
        }
        if (expectedVersion != null && expectedVersion < 0) {
            throw ApiException.validation("expectedVersion is 0 (no settings yet) or a version you read");
        }
        Authorizer.Session session = authorizer.session(caller.subject());
        return db.inTransaction(tx -> appliances.require(tx, session, applianceId, Capability.VIEW_STATUS)
                .flatMap(access -> tx.preparedQuery("select version from preference where user_id = $1 "
                                + "and appliance_id = $2 for update")
                        .execute(Tuple.of(caller.id(), applianceId)))
                .flatMap(rows -> {
                    long current = rows.rowCount() == 0 ? 0 : rows.iterator().next().getLong("version");
                    if (expectedVersion != null && expectedVersion != current) {
                        return Uni.createFrom().failure(new ApiException(ErrorCode.CONFLICT,
                                "These preferences changed since version " + expectedVersion + "; reload and retry",
                                Map.of("currentVersion", current)));
                    }
                    return tx.preparedQuery("""
                                    insert into preference (user_id, appliance_id, settings, version) values ($1, $2, $3, 1)
                                    on conflict (user_id, appliance_id) do update
                                        set settings = excluded.settings, version = preference.version + 1, updated_at = now()
                                    returning appliance_id, settings, version, updated_at""")
                            .execute(Tuple.of(caller.id(), applianceId, settings))
                            .map(inserted -> PreferencesRecord.from(inserted.iterator().next()));
                })
                .flatMap(saved -> changes.append(tx, Change.forUser(caller.id(), PREFERENCES_CHANGED, saved.toChange()))
                        .replaceWith(saved)));
    }

    /** The caller's preferences for these appliances (the caller must be allowed to view them). */
    public Uni<List<PreferencesRecord>> of(Caller caller, List<UUID> applianceIds) {
        return db.reads().preparedQuery("select appliance_id, settings, version, updated_at from preference "
                        + "where user_id = $1 and appliance_id = any($2)")
                .execute(Tuple.of(caller.id(), applianceIds.toArray(UUID[]::new)))
                .map(rows -> {
                    List<PreferencesRecord> result = new ArrayList<>();
                    rows.forEach(row -> result.add(PreferencesRecord.from(row)));
                    return result;
                });
    }
}
