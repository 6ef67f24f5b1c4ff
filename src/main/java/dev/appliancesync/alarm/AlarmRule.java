package dev.appliancesync.alarm;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

import dev.appliancesync.appliance.ApplianceType;
import io.vertx.core.json.JsonObject;

/** A stored alarm rule: appliances of these types meeting the condition for the duration raise an alarm. */
public record AlarmRule(UUID id, String name, List<ApplianceType> applianceTypes, AlarmCondition condition,
        Duration duration, boolean enabled, OffsetDateTime createdAt, OffsetDateTime updatedAt) {

    /** The rule as the audit log and the alarm entries describe it. */
    public JsonObject facts() {
        return new JsonObject().put("ruleId", id.toString()).put("name", name)
                .put("applianceTypes", applianceTypes.stream().map(Enum::name).toList())
                .put("attribute", condition.attribute()).put("equals", condition.expected())
                .put("durationSeconds", duration.toSeconds()).put("enabled", enabled);
    }
}
