package dev.appliancesync.alarm;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.change.Change;
import dev.appliancesync.change.ChangeObserver;
import dev.appliancesync.change.ChangeType;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Starts and ends alarm timers in the transaction of the shadow update that changed the condition: it hangs off the
 * change log, where every stored shadow is announced (DEVICE_STATE), so ingestion need not know alarms exist. Only
 * the classic shadow (name '') counts: that is where a fridge reports {@code DoorOpened}.
 */
@ApplicationScoped
public class AlarmTracker implements ChangeObserver {

    private static final String CLASSIC_SHADOW = "";

    private final AlarmTimers timers;
    private final AlarmScheduler scheduler;

    public AlarmTracker(AlarmTimers timers, AlarmScheduler scheduler) {
        this.timers = timers;
        this.scheduler = scheduler;
    }

    @Override
    public Uni<Void> appended(SqlConnection tx, List<Change> changes) {
        Set<UUID> appliances = new TreeSet<>();
        for (Change change : changes) {
            if (change.type() == ChangeType.DEVICE_STATE && change.payload() != null
                    && CLASSIC_SHADOW.equals(change.payload().getString("shadowName"))) {
                appliances.add(change.applianceId());
            }
        }
        if (appliances.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return timers.afterShadows(tx, appliances).invoke(nearest -> nearest.ifPresent(scheduler::wakeIn))
                .replaceWithVoid();
    }
}
