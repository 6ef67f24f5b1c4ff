package dev.appliancesync.alarm.graphql;

import java.util.List;

import org.eclipse.microprofile.graphql.DefaultValue;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import dev.appliancesync.alarm.AlarmRuleService;
import dev.appliancesync.alarm.AlarmService;
import dev.appliancesync.common.error.Ids;
import dev.appliancesync.identity.CurrentUser;
import io.smallrye.mutiny.Uni;

@GraphQLApi
public class AlarmApi {

    private final CurrentUser currentUser;
    private final AlarmService alarms;
    private final AlarmRuleService rules;

    public AlarmApi(CurrentUser currentUser, AlarmService alarms, AlarmRuleService rules) {
        this.currentUser = currentUser;
        this.alarms = alarms;
        this.rules = rules;
    }

    @Query("alarms")
    @NonNull
    @Description("Open alarms of the appliances you may view (or of one: NOT_FOUND if you may not view it), by id; "
            + "raised and cleared alarms also arrive on `changes` as ALARM_RAISED and ALARM_CLEARED")
    public Uni<AlarmPage> alarms(@Id @Name("applianceId") String applianceId,
            @DefaultValue(AlarmService.DEFAULT_PAGE) @Name("first") @Description("1 to 100") int first,
            @Name("after") @Description("The cursor of the previous page") String after) {
        return currentUser.caller().flatMap(caller -> alarms.open(caller,
                        applianceId == null ? null : Ids.parse(applianceId, "appliance"), first,
                        after == null ? null : Ids.parse(after, "alarm")))
                .map(page -> new AlarmPage(page.alarms().stream().map(AlarmType::of).toList(),
                        page.alarms().isEmpty() ? null : page.alarms().getLast().id().toString(), page.hasMore()));
    }

    @Query("alarmRules")
    @NonNull
    @Description("Operators: every alarm rule, enabled or not (FORBIDDEN for others)")
    public Uni<List<@NonNull AlarmRuleType>> alarmRules() {
        return currentUser.caller().flatMap(rules::list)
                .map(all -> all.stream().map(AlarmRuleType::of).toList());
    }

    @Mutation("createAlarmRule")
    @NonNull
    @Description("Operators: a new rule, counting at once for appliances that already meet its condition. Audited. "
            + "CONFLICT if the name is taken")
    public Uni<AlarmRuleType> createAlarmRule(@NonNull @Name("rule") AlarmRuleInput rule) {
        return currentUser.caller().flatMap(caller -> rules.create(caller, rule.draft())).map(AlarmRuleType::of);
    }

    @Mutation("updateAlarmRule")
    @NonNull
    @Description("Operators: replace a rule (enabled: false disables it, clearing its alarms). Pending timers keep "
            + "when their condition began and take the new duration. Audited")
    public Uni<AlarmRuleType> updateAlarmRule(@NonNull @Id @Name("id") String id,
            @NonNull @Name("rule") AlarmRuleInput rule) {
        return currentUser.caller().flatMap(caller -> rules.update(caller, Ids.parse(id, "alarm rule"), rule.draft()))
                .map(AlarmRuleType::of);
    }

    @Mutation("deleteAlarmRule")
    @NonNull
    @Description("Operators: delete a rule; its open alarms are cleared (ALARM_CLEARED). Returns the rule as it was. "
            + "Audited")
    public Uni<AlarmRuleType> deleteAlarmRule(@NonNull @Id @Name("id") String id) {
        return currentUser.caller().flatMap(caller -> rules.delete(caller, Ids.parse(id, "alarm rule")))
                .map(AlarmRuleType::of);
    }
}
