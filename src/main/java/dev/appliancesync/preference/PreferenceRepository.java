package dev.appliancesync.preference;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/** Each user's own settings per appliance, versioned so concurrent changes from two devices are noticed. */
@ApplicationScoped
public class PreferenceRepository {

    /** The version of the user's settings for the appliance (0: none yet), locked until the transaction ends. */
    public Uni<Long> lockVersion(SqlClient tx, UUID userId, UUID applianceId) {
        return tx.preparedQuery("select version from preference where user_id = $1 and appliance_id = $2 for update")
                .execute(Tuple.of(userId, applianceId))
                .map(rows -> rows.rowCount() == 0 ? 0L : rows.iterator().next().getLong("version"));
    }

    /** Replaces the settings (the first save is version 1, each one after adds one). */
    public Uni<PreferencesRecord> save(SqlClient tx, UUID userId, UUID applianceId, JsonObject settings) {
        return tx.preparedQuery("""
                        insert into preference (user_id, appliance_id, settings, version) values ($1, $2, $3, 1)
                        on conflict (user_id, appliance_id) do update
                            set settings = excluded.settings, version = preference.version + 1, updated_at = now()
                        returning appliance_id, settings, version, updated_at""")
                .execute(Tuple.of(userId, applianceId, settings))
                .map(inserted -> PreferencesRecord.from(inserted.iterator().next()));
    }

    public Uni<List<PreferencesRecord>> of(SqlClient client, UUID userId, List<UUID> applianceIds) {
        return client.preparedQuery("select appliance_id, settings, version, updated_at from preference "
                        + "where user_id = $1 and appliance_id = any($2)")
                .execute(Tuple.of(userId, applianceIds.toArray(UUID[]::new)))
                .map(rows -> {
                    List<PreferencesRecord> result = new ArrayList<>();
                    rows.forEach(row -> result.add(PreferencesRecord.from(row)));
                    return result;
                });
    }
}
