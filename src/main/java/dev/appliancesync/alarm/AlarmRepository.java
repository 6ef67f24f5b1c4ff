package dev.appliancesync.alarm;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The alarm timers and open alarms ({@code alarm}) and the outbox of alarm messages to devices ({@code alarm_message}).
 * A rule's condition is evaluated here, in SQL, against the stored classic shadow ({@code device_state}, shadow name
 * ''): {@code reported -> attribute = expected}.
 */
@ApplicationScoped
public class AlarmRepository {

    /**
     * In one statement, for the appliances or the rule in scope: deletes the timers and alarms whose condition no longer
     * holds (a rule disabled counts as not holding) and returns them, and starts a timer for every enabled rule whose
     * condition holds and has none yet (an existing one keeps its deadline). The two parts touch disjoint rows: one
     * needs the condition false, the other true.
     */
    private static final String TRACK = """
            with ended as (
                delete from alarm al using alarm_rule r, appliance a
                where %1$s and r.id = al.rule_id and a.id = al.appliance_id
                  and not (r.enabled and a.appliance_type = any(r.appliance_types) and coalesce(
                      (select s.reported -> r.attribute = r.expected from device_state s
                       where s.appliance_id = al.appliance_id and s.shadow_name = ''), false))
                returning al.id, al.rule_id, r.name as rule_name, al.appliance_id, a.thing_name, al.since, al.raised_at),
            started as (
                insert into alarm (rule_id, appliance_id, due_at)
                select r.id, a.id, now() + make_interval(secs => r.duration_seconds)
                from alarm_rule r
                join appliance a on a.appliance_type = any(r.appliance_types)
                join device_state s on s.appliance_id = a.id and s.shadow_name = ''
                where %2$s and r.enabled and s.reported -> r.attribute = r.expected
                on conflict (rule_id, appliance_id) do nothing
                returning due_at)
            select id, rule_id, rule_name, appliance_id, thing_name, since, raised_at, null::timestamptz as due_at,
                   now() as at
            from ended
            union all
            select null, null, null, null, null, null, null, min(due_at), now() from started having count(*) > 0""";
    private static final String TRACK_APPLIANCES = TRACK.formatted("al.appliance_id = any($1::uuid[])",
            "a.id = any($1::uuid[])");
    private static final String TRACK_RULE = TRACK.formatted("al.rule_id = $1::uuid", "r.id = $1::uuid");

    /**
     * Due timers, claimed by one instance ({@code skip locked}), become open alarms. The appliance's shadow row is
     * locked with the timer: a shadow update that would end the condition waits for the raise and then clears it,
     * instead of the raise reading a shadow that is being changed.
     */
    private static final String RAISE_DUE = """
            with due as (
                select al.id from alarm al
                join device_state s on s.appliance_id = al.appliance_id and s.shadow_name = ''
                where al.raised_at is null and al.due_at <= now()
                order by al.due_at limit $1
                for update of al, s skip locked)
            update alarm al set raised_at = now()
            from due, alarm_rule r, appliance a
            where al.id = due.id and r.id = al.rule_id and a.id = al.appliance_id
            returning al.id, al.rule_id, r.name as rule_name, al.appliance_id, a.thing_name, al.since, al.raised_at""";
    /** By the database's clock, which is the one deadlines are compared with. */
    private static final String NEXT_DUE = "select (extract(epoch from min(due_at) - clock_timestamp()) * 1000)::bigint"
            + " as wait_ms from alarm where raised_at is null";
    /** A rule's changed duration moves the deadlines of its pending timers (counted from when each condition began). */
    private static final String RESCHEDULE = """
            update alarm al set due_at = al.since + make_interval(secs => r.duration_seconds)
            from alarm_rule r where r.id = al.rule_id and al.rule_id = $1 and al.raised_at is null
            returning al.due_at""";
    private static final String OPEN_FOR = """
            select al.id, al.rule_id, r.name as rule_name, al.appliance_id, null as thing_name, al.since, al.raised_at
            from alarm al join alarm_rule r on r.id = al.rule_id
            where al.raised_at is not null and al.appliance_id = any($1) and ($2::uuid is null or al.id > $2)
            order by al.id limit $3""";
    private static final String ENQUEUE = """
            insert into alarm_message (id, thing_name, payload)
            select id, thing_name, payload::jsonb from unnest($1::uuid[], $2::text[], $3::text[]) as m(id, thing_name, payload)""";
    private static final String CLAIM_MESSAGES = """
            update alarm_message m set next_attempt_at = now() + make_interval(secs => $2), attempts = m.attempts + 1
            from (select id from alarm_message where next_attempt_at <= now() order by created_at, id limit $1
                  for update skip locked) due
            where m.id = due.id
            returning m.id, m.thing_name, m.payload, m.created_at""";

    /** A timer or an alarm, with what its entries and messages say; {@code raisedAt} null while pending. */
    public record Alarm(UUID id, UUID ruleId, String ruleName, UUID applianceId, String thingName,
            OffsetDateTime since, OffsetDateTime raisedAt) {

        static Alarm from(Row row) {
            return new Alarm(row.getUUID("id"), row.getUUID("rule_id"), row.getString("rule_name"),
                    row.getUUID("appliance_id"), row.getString("thing_name"), row.getOffsetDateTime("since"),
                    row.getOffsetDateTime("raised_at"));
        }

        public boolean raised() {
            return raisedAt != null;
        }
    }

    /**
     * What a change of conditions did: the timers and alarms that ended (at {@code at}, the transaction's time), and
     * the nearest deadline it started.
     */
    public record Tracked(List<Alarm> ended, OffsetDateTime at, Optional<OffsetDateTime> nearestStarted) {
    }

    /** A message to a device waiting in the outbox. */
    public record Message(UUID id, String thingName, JsonObject payload) {
    }

    /** Brings the timers of these appliances in line with their stored shadows, in {@code tx}. */
    public Uni<Tracked> trackAppliances(SqlClient tx, Collection<UUID> applianceIds) {
        return track(tx, TRACK_APPLIANCES, Tuple.of(applianceIds.toArray(UUID[]::new)));
    }

    /** Brings the timers of one rule in line with the rule as it is now and every stored shadow, in {@code tx}. */
    public Uni<Tracked> trackRule(SqlClient tx, UUID ruleId) {
        return track(tx, TRACK_RULE, Tuple.of(ruleId));
    }

    private static Uni<Tracked> track(SqlClient tx, String sql, Tuple arguments) {
        return tx.preparedQuery(sql).execute(arguments).map(rows -> {
            List<Alarm> ended = new ArrayList<>();
            OffsetDateTime nearest = null;
            OffsetDateTime at = null;
            for (Row row : rows) {
                at = row.getOffsetDateTime("at");
                if (row.getUUID("id") != null) {
                    ended.add(Alarm.from(row));
                } else {
                    nearest = row.getOffsetDateTime("due_at");
                }
            }
            return new Tracked(ended, at, Optional.ofNullable(nearest));
        });
    }

    /** Moves a rule's pending deadlines to its duration now; the nearest of them, if any. */
    public Uni<Optional<OffsetDateTime>> reschedule(SqlClient tx, UUID ruleId) {
        return tx.preparedQuery(RESCHEDULE).execute(Tuple.of(ruleId)).map(rows -> {
            OffsetDateTime nearest = null;
            for (Row row : rows) {
                OffsetDateTime due = row.getOffsetDateTime("due_at");
                nearest = nearest == null || due.isBefore(nearest) ? due : nearest;
            }
            return Optional.ofNullable(nearest);
        });
    }

    /** Claims and raises up to {@code limit} due timers in {@code tx}; the alarms raised. */
    public Uni<List<Alarm>> raiseDue(SqlClient tx, int limit) {
        return tx.preparedQuery(RAISE_DUE).execute(Tuple.of(limit)).map(rows -> {
            List<Alarm> raised = new ArrayList<>(rows.rowCount());
            rows.forEach(row -> raised.add(Alarm.from(row)));
            return raised;
        });
    }

    /** How long until the nearest deadline of any pending timer (any instance's), if there is one. */
    public Uni<Optional<java.time.Duration>> nextDue(SqlClient client) {
        return client.query(NEXT_DUE).execute().map(rows -> Optional.ofNullable(rows.iterator().next()
                .getLong("wait_ms")).map(java.time.Duration::ofMillis));
    }

    /** Open alarms of these appliances, by id, after {@code after} (null: from the first), at most {@code limit}. */
    public Uni<List<Alarm>> openOf(SqlClient client, Collection<UUID> applianceIds, UUID after, int limit) {
        return client.preparedQuery(OPEN_FOR).execute(Tuple.of(applianceIds.toArray(UUID[]::new), after, limit))
                .map(rows -> {
                    List<Alarm> open = new ArrayList<>(rows.rowCount());
                    rows.forEach(row -> open.add(Alarm.from(row)));
                    return open;
                });
    }

    /** Puts messages in the outbox, in {@code tx}. */
    public Uni<Void> enqueue(SqlClient tx, List<Message> messages) {
        if (messages.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return tx.preparedQuery(ENQUEUE).execute(Tuple.of(messages.stream().map(Message::id).toArray(UUID[]::new),
                messages.stream().map(Message::thingName).toArray(String[]::new),
                messages.stream().map(m -> m.payload().encode()).toArray(String[]::new))).replaceWithVoid();
    }

    /** Claims due messages for {@code leaseSeconds}, oldest first. */
    public Uni<List<Message>> claimMessages(SqlClient client, int limit, long leaseSeconds) {
        return client.preparedQuery(CLAIM_MESSAGES).execute(Tuple.of(limit, leaseSeconds)).map(rows -> {
            List<Row> claimed = new ArrayList<>(rows.rowCount());
            rows.forEach(claimed::add);
            // An update's returned rows come in no promised order: the outbox's order is restored here.
            claimed.sort(java.util.Comparator.comparing((Row row) -> row.getOffsetDateTime("created_at"))
                    .thenComparing(row -> row.getUUID("id")));
            return claimed.stream().map(row -> new Message(row.getUUID("id"), row.getString("thing_name"),
                    row.getJsonObject("payload"))).toList();
        });
    }

    /** The broker has the message: it leaves the outbox. */
    public Uni<Void> delivered(SqlClient client, UUID messageId) {
        return client.preparedQuery("delete from alarm_message where id = $1").execute(Tuple.of(messageId))
                .replaceWithVoid();
    }
}
