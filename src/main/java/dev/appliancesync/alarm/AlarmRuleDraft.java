package dev.appliancesync.alarm;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import dev.appliancesync.appliance.ApplianceType;
import dev.appliancesync.common.error.ApiException;

/** A rule as an operator writes it, checked: what a create or an update stores. */
public record AlarmRuleDraft(String name, Set<ApplianceType> applianceTypes, AlarmCondition condition,
        Duration duration, boolean enabled) {

    /** A week: a longer timer is a reminder, not an alarm. */
    static final Duration LONGEST = Duration.ofDays(7);

    public AlarmRuleDraft {
        name = name == null ? "" : name.strip();
        if (name.isEmpty() || name.length() > 100) {
            throw ApiException.validation("name: 1 to 100 characters");
        }
        if (applianceTypes == null || applianceTypes.isEmpty()) {
            throw ApiException.validation("applianceTypes: at least one appliance type");
        }
        applianceTypes = Set.copyOf(applianceTypes);
        if (duration == null || duration.toSeconds() < 1 || duration.compareTo(LONGEST) > 0) {
            throw ApiException.validation("durationSeconds: 1 to " + LONGEST.toSeconds());
        }
    }

    /** The types in one order, as stored. */
    String[] typeNames() {
        return applianceTypes.stream().map(Enum::name).sorted().toArray(String[]::new);
    }

    static List<ApplianceType> types(String[] names) {
        return java.util.Arrays.stream(names).map(ApplianceType::valueOf).toList();
    }
}
