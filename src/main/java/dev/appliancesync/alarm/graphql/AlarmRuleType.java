package dev.appliancesync.alarm.graphql;

import java.time.OffsetDateTime;
import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;

import dev.appliancesync.alarm.AlarmRule;
import dev.appliancesync.appliance.ApplianceType;

@Name("AlarmRule")
@Description("When an appliance of these types reports `attribute` equal to `equals` for `durationSeconds` without a "
        + "break, an alarm is raised (ALARM_RAISED on `changes`, a message on appliances/{thingName}/alarms); it clears "
        + "when the condition ends")
public record AlarmRuleType(@NonNull @Id String id, @NonNull String name,
        @NonNull List<@NonNull ApplianceType> applianceTypes,
        @NonNull @Description("A top-level attribute of the reported state (classic shadow), e.g. DoorOpened") String attribute,
        @NonNull @Description("The value as JSON: true, 4, \"ECO\"") String equals,
        @NonNull Integer durationSeconds, @NonNull Boolean enabled,
        @NonNull OffsetDateTime createdAt,
        @NonNull OffsetDateTime updatedAt) {

    static AlarmRuleType of(AlarmRule rule) {
        return new AlarmRuleType(rule.id().toString(), rule.name(), rule.applianceTypes(),
                rule.condition().attribute(), rule.condition().expected(), (int) rule.duration().toSeconds(),
                rule.enabled(), rule.createdAt(), rule.updatedAt());
    }
}
