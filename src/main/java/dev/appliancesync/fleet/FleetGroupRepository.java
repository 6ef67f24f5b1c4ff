package dev.appliancesync.fleet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.change.RetainedWithChanges;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Fleet groups' SQL: the groups, their members and the events of appliances entering and leaving. Membership is always
 * computed by the condition FleetPredicates writes for a search, so a group holds exactly what a search with its query
 * would find.
 */
@ApplicationScoped
public class FleetGroupRepository implements RetainedWithChanges {

    /** Where a reader of a group's events stands: after the event at (txId, position). */
    public record EventCursor(String txId, long position) {
    }

    /** One read of events: the events, and the cursor after the last one (the given one if none). */
    public record Events(List<FleetGroupChange> changes, EventCursor next) {
    }

    private static final String GROUP_COLUMNS = "g.id, g.name, g.query, g.type_names, g.created_by, g.saved_at";
    private static final UUID BEFORE_ALL = new UUID(0, 0);
    private static final String SETTLED = "e.tx_id < pg_snapshot_xmin(pg_current_snapshot())";

    private final FleetPredicates predicates;

    public FleetGroupRepository(FleetPredicates predicates) {
        this.predicates = predicates;
    }

    /** Saves the group (a name saved before is replaced) and returns it with whether it is new. */
    public Uni<Saved> upsert(SqlConnection tx, String name, FleetQuery query, List<String> typeNames, UUID savedBy) {
        return tx.preparedQuery("""
                        insert into fleet_group as g (name, query, type_names, created_by) values ($1, $2, $3, $4)
                        on conflict (name) where deleted_at is null do update set query = excluded.query, type_names = excluded.type_names,
                            created_by = excluded.created_by, saved_at = now()
                        returning %s, (xmax = 0) as created""".formatted(GROUP_COLUMNS))
                .execute(Tuple.of(name, FleetGroupQueries.stored(query), typeNames.toArray(String[]::new), savedBy))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new Saved(group(row), row.getBoolean("created"));
                });
    }

    public record Saved(FleetGroup group, boolean created) {
    }

    public Uni<Integer> count(SqlClient client) {
        return client.query("select count(*) from fleet_group where deleted_at is null").execute()
                .map(rows -> rows.iterator().next().getLong(0).intValue());
    }

    /**
     * Brings the group's members in line with its query, for {@code appliances} only (null: every appliance), and
     * records who entered and left if {@code recordEvents}: on a group just created nobody can be listening yet, and
     * its first fill is one INSERT ... SELECT. Returns how many rows changed.
     */
    public Uni<Integer> reconcile(SqlConnection tx, FleetGroup group, Collection<UUID> appliances,
            boolean recordEvents) {
        SqlParams params = new SqlParams();
        String id = params.bind(group.id()) + "::uuid";
        String types = params.bind(group.typeNames().toArray(String[]::new)) + "::text[]";
        String ids = appliances == null ? null : params.bind(appliances.toArray(UUID[]::new)) + "::uuid[]";
        String only = ids == null ? "" : " and a.id = any(" + ids + ")";
        String onlyMembers = ids == null ? "" : " and m.appliance_id = any(" + ids + ")";
        String matching = "select a.id from appliance a left join device_presence p on p.appliance_id = a.id "
                + "where a.appliance_type = any(" + types + ")" + only + " and (" + predicates.condition(group.query(),
                        params) + ")";
        String sql = "with matching as (" + matching + "), "
                + "entering as (insert into fleet_group_member (group_id, appliance_id) select " + id
                + ", id from matching on conflict do nothing returning appliance_id), "
                + "leaving as (delete from fleet_group_member m where m.group_id = " + id + onlyMembers
                + " and not exists (select 1 from matching where matching.id = m.appliance_id) returning appliance_id) "
                + (recordEvents
                        ? "insert into fleet_group_event (group_id, appliance_id, entered) select " + id
                                + ", appliance_id, true from entering union all select " + id
                                + ", appliance_id, false from leaving"
                        : "select (select count(*) from entering) + (select count(*) from leaving)");
        return tx.preparedQuery(sql).execute(params.tuple())
                .map(rows -> recordEvents ? rows.rowCount() : rows.iterator().next().getLong(0).intValue());
    }

    /** Every group not deleted, by name. */
    public Uni<List<FleetGroup>> all(SqlClient client) {
        return client.query("select " + GROUP_COLUMNS + " from fleet_group g where g.deleted_at is null order by g.name")
                .execute().map(FleetGroupRepository::groups);
    }

    public Uni<Optional<FleetGroup>> find(SqlClient client, UUID id) {
        return client.preparedQuery("select " + GROUP_COLUMNS
                + " from fleet_group g where g.id = $1 and g.deleted_at is null")
                .execute(Tuple.of(id)).map(rows -> groups(rows).stream().findFirst());
    }

    /** Marks the group deleted; true if it was there. */
    public Uni<Boolean> delete(SqlConnection tx, UUID id) {
        return tx.preparedQuery("update fleet_group set deleted_at = now() where id = $1 and deleted_at is null")
                .execute(Tuple.of(id)).map(rows -> rows.rowCount() == 1);
    }

    /**
     * Removes groups marked deleted before {@code olderThan} ago, with their members and events: by then no shadow
     * update that read them before the mark is still running.
     */
    public Uni<Integer> purgeDeleted(SqlConnection tx, Duration olderThan) {
        return tx.preparedQuery("delete from fleet_group where deleted_at < now() - $1::integer * interval '1 second'")
                .execute(Tuple.of(Math.toIntExact(olderThan.toSeconds()))).map(rows -> rows.rowCount());
    }

    /** Up to {@code limit} members of these types after {@code after}, in id order. */
    public Uni<List<FleetAppliance>> members(SqlClient client, UUID group, List<String> typeNames, UUID after,
            int limit) {
        return client.preparedQuery("select " + FleetAppliance.COLUMNS + """
                         from fleet_group_member m join appliance a on a.id = m.appliance_id
                        left join device_presence p on p.appliance_id = a.id
                        where m.group_id = $1 and a.appliance_type = any($2) and a.id > $3 order by a.id limit $4""")
                .execute(Tuple.of(group, typeNames.toArray(String[]::new), after == null ? BEFORE_ALL : after, limit))
                .map(rows -> {
                    List<FleetAppliance> page = new ArrayList<>();
                    rows.forEach(row -> page.add(FleetAppliance.from(row)));
                    return page;
                });
    }

    public Uni<Integer> memberCount(SqlClient client, UUID group, List<String> typeNames) {
        return client.preparedQuery("""
                        select count(*) from fleet_group_member m join appliance a on a.id = m.appliance_id
                        where m.group_id = $1 and a.appliance_type = any($2)""")
                .execute(Tuple.of(group, typeNames.toArray(String[]::new)))
                .map(rows -> rows.iterator().next().getLong(0).intValue());
    }

    /**
     * Where a reader that starts now begins: before every transaction still running. Whatever such a transaction
     * records comes after this, and everything before it had committed before the reader started.
     */
    public Uni<EventCursor> now(SqlClient client) {
        return client.query("select pg_snapshot_xmin(pg_current_snapshot())::text as tx").execute()
                .map(rows -> new EventCursor(rows.iterator().next().getString("tx"), 0));
    }

    /** The group's settled events after {@code after} on appliances of these types, in order, at most {@code limit}. */
    public Uni<Events> after(SqlClient client, UUID group, List<String> typeNames, EventCursor after, int limit) {
        return client.preparedQuery("""
                        select e.tx_id::text as tx, e.position, e.appliance_id, a.thing_name, e.entered, e.at
                        from fleet_group_event e join appliance a on a.id = e.appliance_id
                        where e.group_id = $1 and (e.tx_id, e.position) > ($2::text::xid8, $3) and %s
                            and a.appliance_type = any($4)
                        order by e.tx_id, e.position limit $5""".formatted(SETTLED))
                .execute(Tuple.of(group, after.txId(), after.position(), typeNames.toArray(String[]::new), limit))
                .map(rows -> {
                    List<FleetGroupChange> changes = new ArrayList<>();
                    EventCursor next = after;
                    for (Row row : rows) {
                        changes.add(new FleetGroupChange(group, row.getUUID("appliance_id"), row.getString("thing_name"),
                                row.getBoolean("entered"), row.getOffsetDateTime("at")));
                        next = new EventCursor(row.getString("tx"), row.getLong("position"));
                    }
                    return new Events(changes, next);
                });
    }

    @Override
    public String what() {
        return "Fleet group events";
    }

    /**
     * fleetGroupChanged readers follow the events within a poll interval and resume from nothing older than their
     * start, so an event the change log's retention has outlived has been read by every reader that will read it.
     */
    @Override
    public Uni<Long> forgetOlderThan(SqlClient tx, Duration retention) {
        return tx.preparedQuery("delete from fleet_group_event where at < now() - make_interval(secs => $1)")
                .execute(Tuple.of((double) retention.toSeconds()))
                .map(rows -> (long) rows.rowCount());
    }

    private static List<FleetGroup> groups(Iterable<Row> rows) {
        List<FleetGroup> groups = new ArrayList<>();
        for (Row row : rows) {
            groups.add(group(row));
        }
        return groups;
    }

    private static FleetGroup group(Row row) {
        return new FleetGroup(row.getUUID("id"), row.getString("name"), FleetGroupQueries.read((JsonObject) row.getValue("query")),
                List.of(row.getArrayOfStrings("type_names")), row.getUUID("created_by"),
                row.getOffsetDateTime("saved_at"));
    }
}
