package dev.appliancesync.household;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.access.AccessGate;
import dev.appliancesync.access.GuardedResources;
import dev.appliancesync.access.Role;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

@ApplicationScoped
public class HouseholdRepository implements GuardedResources<HouseholdAccess> {

    /**
     * What {@link HouseholdRecord#from} reads: named, never {@code *}, because statements are kept
     * prepared (application.properties, cache-prepared-statements).
     */
    private static final String COLUMNS = "h.id, h.name, h.thing_prefix, h.owner_id";

    /** The role of user $1 in household {@code h}: owner, or their active membership. */
    private static final String ROLE = """
            case when h.owner_id = $1 then 'OWNER' else (
                select s.role from share s
                where s.household_id = h.id and s.recipient_id = $1 and s.revoked_at is null
                  and (s.expires_at is null or s.expires_at > now())) end as role""";

    @Override
    public String kind() {
        return "household";
    }

    @Override
    public AccessGate.Target target(HouseholdAccess household) {
        return household.target();
    }

    @Override
    public Uni<Optional<HouseholdAccess>> find(SqlClient client, UUID userId, UUID householdId, boolean lock) {
        String sql = "select " + COLUMNS + ", " + ROLE + " from household h where h.id = $2"
                + (lock ? " for update of h" : "");
        return client.preparedQuery(sql).execute(Tuple.of(userId, householdId)).map(rows -> {
            var iterator = rows.iterator();
            return iterator.hasNext() ? Optional.of(access(iterator.next())) : Optional.empty();
        });
    }

    /** Households the user owns or is an active member of. */
    public Uni<List<HouseholdAccess>> of(SqlClient client, UUID userId) {
        String sql = "select " + COLUMNS + ", " + ROLE + " from household h where h.owner_id = $1 or exists ("
                + "select 1 from share s where s.household_id = h.id and s.recipient_id = $1 and s.revoked_at is null "
                + "and (s.expires_at is null or s.expires_at > now())) order by h.created_at, h.id";
        return client.preparedQuery(sql).execute(Tuple.of(userId)).map(rows -> {
            List<HouseholdAccess> result = new ArrayList<>();
            rows.forEach(row -> result.add(access(row)));
            return result;
        });
    }

    public Uni<Long> countOwnedBy(SqlClient client, UUID userId) {
        return client.preparedQuery("select count(*) from household where owner_id = $1").execute(Tuple.of(userId))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    public Uni<HouseholdRecord> insert(SqlClient client, String name, String thingPrefix, UUID ownerId) {
        return client.preparedQuery("insert into household as h (name, thing_prefix, owner_id) values ($1, $2, $3) "
                        + "on conflict (thing_prefix) do nothing returning " + COLUMNS)
                .execute(Tuple.of(name, thingPrefix, ownerId))
                .map(rows -> rows.rowCount() == 0 ? null : HouseholdRecord.from(rows.iterator().next()));
    }

    private static HouseholdAccess access(Row row) {
        String role = row.getString("role");
        return new HouseholdAccess(HouseholdRecord.from(row), role == null ? null : Role.valueOf(role));
    }
}
