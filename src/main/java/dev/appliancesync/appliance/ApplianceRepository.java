package dev.appliancesync.appliance;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.access.Capability;
import dev.appliancesync.access.Grant;
import dev.appliancesync.access.Role;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Appliances as a user reaches them: each with the grants the user holds on it. A grant is active until it is
 * revoked or its expiry passes; an expired share needs no sweeper to stop counting.
 */
@ApplicationScoped
public class ApplianceRepository {

    /** The grants of user $1 on appliance {@code a}: ownership, household ownership, household and direct shares. */
    private static final String GRANTS = """
            cross join lateral (
                select coalesce(json_agg(json_build_object('role', g.role, 'capabilities', g.capabilities)), '[]') as grants
                from (
                    select 'OWNER' as role, null::text[] as capabilities where a.owner_id = $1
                    union all
                    select 'ADMIN', null from household ho
                    where ho.id = a.household_id and ho.owner_id = $1 and a.owner_id <> $1
                    union all
                    select s.role, s.capabilities from share s
                    where s.recipient_id = $1 and s.revoked_at is null and (s.expires_at is null or s.expires_at > now())
                      and (s.appliance_id = a.id or s.household_id = a.household_id)
                ) g
            ) access""";

    private static final String LIST = """
            with reachable as (
                select id from appliance where owner_id = $1
                union
                select a.id from household ho join appliance a on a.household_id = ho.id where ho.owner_id = $1
                union
                select s.appliance_id from share s
                where s.recipient_id = $1 and s.appliance_id is not null and s.revoked_at is null
                  and (s.expires_at is null or s.expires_at > now())
                union
                select a.id from share s join appliance a on a.household_id = s.household_id
                where s.recipient_id = $1 and s.household_id is not null and s.revoked_at is null
                  and (s.expires_at is null or s.expires_at > now()))
            select %s, access.grants
            from appliance a join reachable r on r.id = a.id left join household h on h.id = a.household_id
            %s
            order by a.claimed_at, a.id""".formatted(ApplianceRecord.COLUMNS, GRANTS);

    private static final String ONE = """
            select %s, access.grants
            from appliance a left join household h on h.id = a.household_id
            %s
            where a.id = $2""".formatted(ApplianceRecord.COLUMNS, GRANTS);

    /** Every appliance the user holds a grant on (grants are still subject to the policies). */
    public Uni<List<ApplianceAccess>> reachableBy(SqlClient client, UUID userId) {
        return client.preparedQuery(LIST).execute(Tuple.of(userId)).map(rows -> {
            List<ApplianceAccess> result = new ArrayList<>();
            rows.forEach(row -> result.add(access(row)));
            return result;
        });
    }

    /** The appliance with the user's grants (possibly none); {@code lock} holds it until the transaction ends. */
    public Uni<Optional<ApplianceAccess>> find(SqlClient client, UUID userId, UUID applianceId, boolean lock) {
        return client.preparedQuery(lock ? ONE + " for update of a" : ONE).execute(Tuple.of(userId, applianceId))
                .map(rows -> {
                    var iterator = rows.iterator();
                    return iterator.hasNext() ? Optional.of(access(iterator.next())) : Optional.empty();
                });
    }

    private static ApplianceAccess access(Row row) {
        return new ApplianceAccess(ApplianceRecord.from(row), grants(row.getValue("grants")));
    }

    private static List<Grant> grants(Object json) {
        JsonArray array = json instanceof JsonArray a ? a : new JsonArray(json.toString());
        List<Grant> grants = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonObject grant = array.getJsonObject(i);
            JsonArray capabilities = grant.getJsonArray("capabilities");
            Set<Capability> limit = null;
            if (capabilities != null) {
                limit = new LinkedHashSet<>();
                for (Object capability : capabilities) {
                    limit.add(Capability.valueOf(capability.toString()));
                }
            }
            grants.add(new Grant(Role.valueOf(grant.getString("role")), limit));
        }
        return grants;
    }
}
