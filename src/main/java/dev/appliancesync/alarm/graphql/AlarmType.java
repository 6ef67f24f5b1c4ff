package dev.appliancesync.alarm.graphql;

import java.time.OffsetDateTime;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;

import dev.appliancesync.alarm.AlarmRepository;

@Name("Alarm")
@Description("An open alarm: the appliance has met its rule's condition since `since`, for longer than the rule allows")
public record AlarmType(@NonNull @Id String id, @NonNull @Id String applianceId, @NonNull @Id String ruleId,
        @NonNull @Description("The rule's name") String rule,
        @NonNull @Description("When the condition began") OffsetDateTime since,
        @NonNull OffsetDateTime raisedAt) {

    static AlarmType of(AlarmRepository.Alarm alarm) {
        return new AlarmType(alarm.id().toString(), alarm.applianceId().toString(), alarm.ruleId().toString(),
                alarm.ruleName(), alarm.since(), alarm.raisedAt());
    }
}
