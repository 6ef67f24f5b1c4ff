package dev.appliancesync.appliance;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.access.AccessGate;
import dev.appliancesync.access.Capability;
import dev.appliancesync.access.Grant;
import dev.appliancesync.access.GuardedResources;
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
public class ApplianceRepository implements GuardedResources<ApplianceAccess> {

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

    @Override
    public String kind() {
        return "appliance";
    }

    @Override
    public AccessGate.Target target(ApplianceAccess access) {
        return access.target();
    }

    /** The appliance with the user's grants (possibly none); {@code lock} holds it until the transaction ends. */
    @Override
    public Uni<Optional<ApplianceAccess>> find(SqlClient client, UUID userId, UUID applianceId, boolean lock) {
        return client.preparedQuery(lock ? ONE + " for update of a" : ONE).execute(Tuple.of(userId, applianceId))
                .map(rows -> {
                    var iterator = rows.iterator();
                    return iterator.hasNext() ? Optional.of(access(iterator.next())) : Optional.empty();
                });
    }

    /** What a claim compares and changes: the appliance by serial number, locked until the claim commits. */
    public record Claimable(UUID id, String claimCodeHash, UUID ownerId) {
    }

    /**
     * A new, unclaimed appliance (an operator provisions it, or the device announces itself) under the thing name it
     * keeps for good; its id, or empty if the serial number or thing name is taken. Checked with
     * {@link ApplianceNaming#identityProblem} first.
     */
    public Uni<Optional<UUID>> insertProvisioned(SqlClient tx, String serialNumber, ApplianceType type,
            String thingName, String claimCodeHash, String firmwareVersion) {
        return tx.preparedQuery("""
                        insert into appliance (serial_number, appliance_type, thing_name, claim_code_hash, firmware_version)
                        values ($1, $2, $3, $4, $5)
                        on conflict do nothing
                        returning id""")
                .execute(Tuple.of(serialNumber, type.name(), thingName, claimCodeHash, firmwareVersion))
                .map(rows -> rows.rowCount() == 0 ? Optional.<UUID> empty()
                        : Optional.of(rows.iterator().next().getUUID("id")));
    }

    /** An appliance as registered, as far as a device announcing itself is compared with it. */
    public record Registered(String serialNumber, String thingName, String type, String claimCodeHash,
            boolean claimed) {
    }

    /** The appliances registered under this serial number or under this thing name: none, one or two. */
    public Uni<List<Registered>> registeredAs(SqlClient tx, String serialNumber, String thingName) {
        return tx.preparedQuery("""
                        select serial_number, thing_name, appliance_type, claim_code_hash, owner_id is not null as claimed
                        from appliance where serial_number = $1 or thing_name = $2""")
                .execute(Tuple.of(serialNumber, thingName))
                .map(rows -> {
                    List<Registered> registered = new ArrayList<>();
                    for (Row row : rows) {
                        registered.add(new Registered(row.getString("serial_number"), row.getString("thing_name"),
                                row.getString("appliance_type"), row.getString("claim_code_hash"),
                                row.getBoolean("claimed")));
                    }
                    return registered;
                });
    }

    /** Thing name to appliance id, for those of these names that are registered (a thing name never changes). */
    public Uni<Map<String, UUID>> idsByThingName(SqlClient client, Set<String> thingNames) {
        return client.preparedQuery("select id, thing_name from appliance where thing_name = any($1)")
                .execute(Tuple.of(thingNames.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, UUID> ids = new HashMap<>();
                    for (Row row : rows) {
                        ids.put(row.getString("thing_name"), row.getUUID("id"));
                    }
                    return ids;
                });
    }

    /** The appliance with this serial number, locked for this transaction; empty if there is none. */
    public Uni<Optional<Claimable>> lockForClaim(SqlClient tx, String serialNumber) {
        return tx.preparedQuery("select id, claim_code_hash, owner_id from appliance where serial_number = $1 "
                        + "for update")
                .execute(Tuple.of(serialNumber))
                .map(rows -> {
                    if (rows.rowCount() == 0) {
                        return Optional.<Claimable> empty();
                    }
                    Row row = rows.iterator().next();
                    return Optional.of(new Claimable(row.getUUID("id"), row.getString("claim_code_hash"),
                            row.getUUID("owner_id")));
                });
    }

    public Uni<Void> claim(SqlClient tx, UUID applianceId, UUID ownerId, String name) {
        return tx.preparedQuery("""
                        update appliance set owner_id = $2, claimed_at = now(), name = $3,
                            updated_at = now(), version = version + 1
                        where id = $1""")
                .execute(Tuple.of(applianceId, ownerId, name)).replaceWithVoid();
    }

    public Uni<Void> rename(SqlClient tx, UUID applianceId, String name) {
        return tx.preparedQuery("update appliance set name = $2, updated_at = now(), version = version + 1 where id = $1")
                .execute(Tuple.of(applianceId, name)).replaceWithVoid();
    }

    /** Into household {@code householdId}, or out of any (null); the thing name stays. */
    public Uni<Void> moveToHousehold(SqlClient tx, UUID applianceId, UUID householdId) {
        return tx.preparedQuery("update appliance set household_id = $2, updated_at = now(), version = version + 1 "
                        + "where id = $1")
                .execute(Tuple.of(applianceId, householdId)).replaceWithVoid();
    }

    /** A new owner (null: nobody, unclaimed and unnamed again), out of its household. */
    public Uni<Void> changeOwner(SqlClient tx, UUID applianceId, UUID newOwner) {
        return tx.preparedQuery("""
                        update appliance set owner_id = $2, household_id = null,
                            claimed_at = case when $2::uuid is null then null else now() end,
                            name = case when $2::uuid is null then null else name end,
                            updated_at = now(), version = version + 1
                        where id = $1""").execute(Tuple.of(applianceId, newOwner)).replaceWithVoid();
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
