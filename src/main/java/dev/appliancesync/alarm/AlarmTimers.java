package dev.appliancesync.alarm;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.change.Change;
import dev.appliancesync.change.ChangeLog;
import dev.appliancesync.change.ChangeType;
import dev.appliancesync.common.metrics.ServiceMetrics;
import io.micrometer.core.instrument.Counter;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Starts, ends and raises alarm timers inside the transaction that caused it, and announces what was raised or cleared
 * in that same transaction: an ALARM_RAISED or ALARM_CLEARED entry for everyone who may view the appliance, and a
 * message in the outbox for the appliance itself. The one place that honours {@code appliance-sync.alarms.enabled}.
 * <p>
 * Each method returns how long until the nearest deadline it started, if it started one, for the scheduler's precise
 * wake-up.
 */
@ApplicationScoped
public class AlarmTimers {

    private final AlarmRepository alarms;
    private final ChangeLog changes;
    private final AlarmsConfig config;
    private final Counter raisedCount;
    private final Counter clearedCount;

    public AlarmTimers(AlarmRepository alarms, ChangeLog changes, AlarmsConfig config, ServiceMetrics metrics) {
        this.alarms = alarms;
        this.changes = changes;
        this.config = config;
        this.raisedCount = metrics.alarmsRaised();
        this.clearedCount = metrics.alarmsCleared();
    }

    /** Timers of these appliances after their classic shadows changed in {@code tx}. */
    public Uni<Optional<Duration>> afterShadows(SqlConnection tx, Collection<UUID> applianceIds) {
        if (!config.enabled() || applianceIds.isEmpty()) {
            return Uni.createFrom().item(Optional.empty());
        }
        return alarms.trackAppliances(tx, applianceIds).flatMap(tracked -> cleared(tx, tracked));
    }

    /** Timers of a rule after it was created, changed, disabled or (about to be) deleted in {@code tx}. */
    public Uni<Optional<Duration>> afterRule(SqlConnection tx, UUID ruleId) {
        if (!config.enabled()) {
            return Uni.createFrom().item(Optional.empty());
        }
        return alarms.trackRule(tx, ruleId).flatMap(tracked -> cleared(tx, tracked))
                .flatMap(started -> alarms.reschedule(tx, ruleId)
                        .map(rescheduled -> earliest(started, rescheduled.map(AlarmTimers::fromNow))));
    }

    /** Raises up to a batch of due timers in {@code tx}; how many. */
    public Uni<Integer> raiseDue(SqlConnection tx) {
        if (!config.enabled()) {
            return Uni.createFrom().item(0);
        }
        return alarms.raiseDue(tx, config.batchSize()).flatMap(raised -> {
            List<Change> entries = new ArrayList<>(raised.size());
            List<AlarmRepository.Message> messages = new ArrayList<>(raised.size());
            for (AlarmRepository.Alarm alarm : raised) {
                JsonObject facts = facts(alarm, null);
                entries.add(Change.forAppliance(alarm.applianceId(), ChangeType.ALARM_RAISED, facts));
                messages.add(message(alarm, "RAISED", facts));
            }
            return changes.append(tx, entries).call(() -> alarms.enqueue(tx, messages))
                    .invoke(() -> raisedCount.increment(raised.size())).replaceWith(raised.size());
        });
    }

    /** Announces the raised alarms among those that ended; a timer that ends before its deadline says nothing. */
    private Uni<Optional<Duration>> cleared(SqlConnection tx, AlarmRepository.Tracked tracked) {
        List<Change> entries = new ArrayList<>();
        List<AlarmRepository.Message> messages = new ArrayList<>();
        for (AlarmRepository.Alarm alarm : tracked.ended()) {
            if (alarm.raised()) {
                JsonObject facts = facts(alarm, tracked.at());
                entries.add(Change.forAppliance(alarm.applianceId(), ChangeType.ALARM_CLEARED, facts));
                messages.add(message(alarm, "CLEARED", facts));
            }
        }
        Optional<Duration> nearest = tracked.nearestStarted().map(due -> Duration.between(tracked.at(), due));
        if (entries.isEmpty()) {
            return Uni.createFrom().item(nearest);
        }
        return changes.append(tx, entries).call(() -> alarms.enqueue(tx, messages))
                .invoke(() -> clearedCount.increment(entries.size())).replaceWith(nearest);
    }

    /** The facts of an alarm, in its change-log entries and its messages alike. */
    static JsonObject facts(AlarmRepository.Alarm alarm, OffsetDateTime clearedAt) {
        return new JsonObject().put("alarmId", alarm.id().toString()).put("ruleId", alarm.ruleId().toString())
                .put("rule", alarm.ruleName()).put("applianceId", alarm.applianceId().toString())
                .put("since", alarm.since().toString()).put("raisedAt", alarm.raisedAt().toString())
                .put("clearedAt", clearedAt == null ? null : clearedAt.toString());
    }

    /**
     * The device's message: the alarm's facts, the event, and a message id of its own (a retried publish repeats it, so
     * the tablet acts once per message id).
     */
    private static AlarmRepository.Message message(AlarmRepository.Alarm alarm, String event, JsonObject facts) {
        UUID id = UUID.randomUUID();
        JsonObject payload = facts.copy().put("messageId", id.toString()).put("event", event);
        return new AlarmRepository.Message(id, alarm.thingName(), payload);
    }

    private static Duration fromNow(OffsetDateTime due) {
        return Duration.between(OffsetDateTime.now(), due);
    }

    private static Optional<Duration> earliest(Optional<Duration> a, Optional<Duration> b) {
        if (a.isEmpty()) {
            return b;
        }
        return b.isEmpty() || a.get().compareTo(b.get()) <= 0 ? a : b;
    }
}
