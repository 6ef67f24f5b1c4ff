package dev.appliancesync.preference;

import static dev.appliancesync.change.ChangeType.PREFERENCES_CHANGED;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.access.Capability;
import dev.appliancesync.access.Guard;
import dev.appliancesync.appliance.ApplianceRepository;
import dev.appliancesync.change.Change;
import dev.appliancesync.change.ChangeLog;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import dev.appliancesync.identity.Caller;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;

/** Personal settings per user and appliance (units, presets, notifications), synced across the user's phones. */
@ApplicationScoped
public class PreferenceService {


    private final Transactions db;
    private final Guard guard;
    private final ApplianceRepository appliances;
    private final PreferenceRepository preferences;
    private final ChangeLog changes;
    private final PreferencesConfig config;

    public PreferenceService(Transactions db, Guard guard, ApplianceRepository appliances,
            PreferenceRepository preferences, ChangeLog changes, PreferencesConfig config) {
        this.db = db;
        this.guard = guard;
        this.appliances = appliances;
        this.preferences = preferences;
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
        return guard.change(caller.subject(), appliances, applianceId, Capability.VIEW_STATUS, locked -> {
            SqlConnection tx = locked.tx();
            return preferences.lockVersion(tx, caller.id(), applianceId)
                    .flatMap(version -> {
                        long current = version; // unboxed: two Longs would be compared by reference
                        if (expectedVersion != null && expectedVersion != current) {
                            return Uni.createFrom().failure(new ApiException(ErrorCode.CONFLICT,
                                    "These preferences changed since version " + expectedVersion + "; reload and retry",
                                    Map.of("currentVersion", current)));
                        }
                        return preferences.save(tx, caller.id(), applianceId, settings);
                    })
                    .flatMap(saved -> changes.append(tx, Change.forUser(caller.id(), PREFERENCES_CHANGED, saved.toChange()))
                            .replaceWith(saved));
        });
    }

    /** The caller's preferences for these appliances (the caller must be allowed to view them). */
    public Uni<List<PreferencesRecord>> of(Caller caller, List<UUID> applianceIds) {
        return preferences.of(db.reads(), caller.id(), applianceIds);
    }
}
