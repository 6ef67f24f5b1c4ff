package dev.appliancesync.alarm.graphql;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.eclipse.microprofile.graphql.DefaultValue;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Input;
import org.eclipse.microprofile.graphql.NonNull;

import dev.appliancesync.alarm.AlarmCondition;
import dev.appliancesync.alarm.AlarmRuleDraft;
import dev.appliancesync.appliance.ApplianceType;

@Input("AlarmRuleInput")
@Description("An alarm rule as created or replaced; VALIDATION names the field that is wrong")
public class AlarmRuleInput {

    @NonNull
    @Description("1 to 100 characters, unique")
    public String name;

    @NonNull
    public List<@NonNull ApplianceType> applianceTypes;

    @NonNull
    @Description("A top-level attribute of the reported state: a letter, then up to 63 letters, digits or _")
    public String attribute;

    @NonNull
    @Description("The value as JSON: true, 4, \"ECO\"")
    public String equals;

    @NonNull
    @Description("1 to 604800 (a week)")
    public Integer durationSeconds;

    @DefaultValue("true")
    public Boolean enabled;

    AlarmRuleDraft draft() {
        return new AlarmRuleDraft(name, applianceTypes == null ? Set.of() : Set.copyOf(applianceTypes),
                AlarmCondition.parse(attribute, equals),
                durationSeconds == null ? null : Duration.ofSeconds(durationSeconds), enabled == null || enabled);
    }
}
