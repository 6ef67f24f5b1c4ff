package dev.appliancesync.fleet;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/** Fleet search's SQL: pages, totals and counts of one authorised query, every value bound. */
@ApplicationScoped
public class FleetRepository {

    /** A statement as it is sent: its text and its values (the benchmark runs the page's directly, as its baseline). */
    public record Statement(String sql, Tuple params) {
    }

    /** Before every appliance id (uuid compares byte by byte): where the first page starts. */
    private static final UUID BEFORE_ALL = new UUID(0, 0);

    private final FleetPredicates predicates;

    public FleetRepository(FleetPredicates predicates) {
        this.predicates = predicates;
    }

    /** Up to {@code limit} matching appliances after {@code after} (null: from the start), in id order. */
    public Uni<List<FleetAppliance>> page(SqlClient client, FleetSearch search, UUID after, int limit) {
        Statement statement = pageStatement(search, after, limit);
        return client.preparedQuery(statement.sql()).execute(statement.params()).map(rows -> {
            List<FleetAppliance> page = new ArrayList<>();
            rows.forEach(row -> page.add(FleetAppliance.from(row)));
            return page;
        });
    }

    public Statement pageStatement(FleetSearch search, UUID after, int limit) {
        SqlParams params = new SqlParams();
        String where = where(search, params);
        String sql = "select " + FleetAppliance.COLUMNS + " " + where + " and a.id > "
                + params.bind(after == null ? BEFORE_ALL : after) + " order by a.id limit " + params.bind(limit);
        return new Statement(sql, params.tuple());
    }

    /** How many appliances match. */
    public Uni<Integer> total(SqlClient client, FleetSearch search) {
        SqlParams params = new SqlParams();
        String sql = "select count(*) " + where(search, params);
        return client.preparedQuery(sql).execute(params.tuple()).map(rows -> rows.iterator().next().getLong(0).intValue());
    }

    /** How many matching appliances have each value of {@code by}, the largest counts first, at most {@code max}. */
    public Uni<List<FleetCount>> counts(SqlClient client, FleetSearch search, FleetCountBy by, int max) {
        SqlParams params = new SqlParams();
        String sql;
        if (by.field() != null) {
            String value = switch (by.field()) {
                case TYPE -> "a.appliance_type";
                case FIRMWARE_VERSION -> "a.firmware_version";
                case ONLINE -> "coalesce(p.online, false)::text";
                case HOUSEHOLD -> "a.household_id::text";
            };
            sql = "select " + value + " as value, count(*) as n " + where(search, params) + " group by 1";
        } else {
            AttributePath path = AttributePath.parse(by.attribute());
            String shadow = by.shadow() == null ? "" : " and s.shadow_name = " + params.bind(by.shadow());
            String value = "s." + path.side().column + " #>> " + params.bind(path.pathArray());
            // Each appliance once per distinct value among its shadows, and under null when none has the attribute.
            String values = " left join lateral (select distinct " + value + " as value from device_state s "
                    + "where s.appliance_id = a.id" + shadow + ") v on true";
            sql = "select v.value, count(distinct a.id) as n " + where(search, params, values) + " group by 1";
        }
        sql += " order by n desc, value nulls first limit " + params.bind(max);
        return client.preparedQuery(sql).execute(params.tuple()).map(rows -> {
            List<FleetCount> counts = new ArrayList<>();
            for (Row row : rows) {
                counts.add(new FleetCount(row.getString("value"), row.getLong("n").intValue()));
            }
            return counts;
        });
    }

    private static final String JOINED = "left join device_presence p on p.appliance_id = a.id";

    /** The from and where of every statement here: the permitted types, then the caller's condition. */
    private String where(FleetSearch search, SqlParams params) {
        return where(search, params, "");
    }

    private String where(FleetSearch search, SqlParams params, String moreJoins) {
        String types = params.bind(search.typeNames());
        return "from appliance a " + JOINED + moreJoins + " where a.appliance_type = any(" + types + ") and ("
                + predicates.condition(search.query(), params) + ")";
    }
}
