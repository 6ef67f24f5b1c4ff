package dev.appliancesync.alarm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/** The alarm rules ({@code alarm_rule}). */
@ApplicationScoped
public class AlarmRuleRepository {

    private static final String COLUMNS = "id, name, appliance_types, attribute, expected::text as expected, "
            + "duration_seconds, enabled, created_at, updated_at";
    private static final String INSERT = "insert into alarm_rule (name, appliance_types, attribute, expected, "
            + "duration_seconds, enabled) values ($1, $2, $3, $4::text::jsonb, $5, $6) returning " + COLUMNS;
    private static final String UPDATE = "update alarm_rule set name = $2, appliance_types = $3, attribute = $4, "
            + "expected = $5::text::jsonb, duration_seconds = $6, enabled = $7, updated_at = now() where id = $1 returning "
            + COLUMNS;

    public Uni<List<AlarmRule>> all(SqlClient client) {
        return client.query("select " + COLUMNS + " from alarm_rule order by name").execute()
                .map(AlarmRuleRepository::rules);
    }

    /** The rule, its row locked until the transaction ends when {@code lock}. */
    public Uni<Optional<AlarmRule>> find(SqlClient client, UUID id, boolean lock) {
        return client.preparedQuery("select " + COLUMNS + " from alarm_rule where id = $1" + (lock ? " for update" : ""))
                .execute(Tuple.of(id)).map(rows -> rules(rows).stream().findFirst());
    }

    /** The new rule; a unique violation (the name is taken) fails as CONFLICT through {@code PgErrors}. */
    public Uni<AlarmRule> insert(SqlClient tx, AlarmRuleDraft draft) {
        return tx.preparedQuery(INSERT).execute(Tuple.from(new Object[] { draft.name(), draft.typeNames(),
                draft.condition().attribute(), draft.condition().expected(), (int) draft.duration().toSeconds(),
                draft.enabled() })).map(rows -> rules(rows).getFirst());
    }

    public Uni<Optional<AlarmRule>> update(SqlClient tx, UUID id, AlarmRuleDraft draft) {
        return tx.preparedQuery(UPDATE).execute(Tuple.from(new Object[] { id, draft.name(), draft.typeNames(),
                draft.condition().attribute(), draft.condition().expected(), (int) draft.duration().toSeconds(),
                draft.enabled() })).map(rows -> rules(rows).stream().findFirst());
    }

    public Uni<Void> delete(SqlClient tx, UUID id) {
        return tx.preparedQuery("delete from alarm_rule where id = $1").execute(Tuple.of(id)).replaceWithVoid();
    }

    private static List<AlarmRule> rules(RowSet<Row> rows) {
        List<AlarmRule> rules = new ArrayList<>(rows.rowCount());
        for (Row row : rows) {
            rules.add(new AlarmRule(row.getUUID("id"), row.getString("name"),
                    AlarmRuleDraft.types(row.getArrayOfStrings("appliance_types")),
                    new AlarmCondition(row.getString("attribute"), row.getString("expected")),
                    Duration.ofSeconds(row.getInteger("duration_seconds")), row.getBoolean("enabled"),
                    row.getOffsetDateTime("created_at"), row.getOffsetDateTime("updated_at")));
        }
        return rules;
    }
}
