package dev.appliancesync.alarm;

import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.appliance.ApplianceService;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.identity.Caller;
import io.smallrye.mutiny.Uni;

/**
 * Open alarms, for whoever may view the appliance's status: exactly the appliances {@code appliances} and
 * {@code appliance(id)} show the caller (NOT_FOUND for one they may not view, as for an unknown id).
 */
@ApplicationScoped
public class AlarmService {

    public static final int LARGEST_PAGE = 100;
    /** {@code first} when omitted (the schema's default). */
    public static final String DEFAULT_PAGE = "20";

    private final Transactions db;
    private final AlarmRepository alarms;
    private final ApplianceService appliances;

    public AlarmService(Transactions db, AlarmRepository alarms, ApplianceService appliances) {
        this.db = db;
        this.alarms = alarms;
        this.appliances = appliances;
    }

    /** A page of open alarms by id: {@code alarms} has at most {@code first}; {@code hasMore} if more follow. */
    public record Page(List<AlarmRepository.Alarm> alarms, boolean hasMore) {
    }

    /** Open alarms of one appliance (null: of every appliance the caller may view), after the alarm {@code after}. */
    public Uni<Page> open(Caller caller, UUID applianceId, int first, UUID after) {
        if (first < 1 || first > LARGEST_PAGE) {
            return Uni.createFrom().failure(ApiException.validation("first: 1 to " + LARGEST_PAGE));
        }
        Uni<List<UUID>> visible = applianceId != null
                ? appliances.get(caller, applianceId).map(view -> List.of(view.appliance().id()))
                : appliances.list(caller).map(views -> views.stream().map(view -> view.appliance().id()).toList());
        return visible.flatMap(ids -> ids.isEmpty() ? Uni.createFrom().item(new Page(List.of(), false))
                : alarms.openOf(db.reads(), ids, after, first + 1).map(found -> found.size() > first
                        ? new Page(found.subList(0, first), true) : new Page(found, false)));
    }
}
