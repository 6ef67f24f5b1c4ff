package dev.appliancesync.realtime;

import java.util.Set;
import java.util.UUID;

import dev.appliancesync.change.ChangeRecord;
import dev.appliancesync.change.ChangeType;

/**
 * Which visible changes a subscription wants.
 *
 * @param types change types, or null for all of them
 * @param applianceId only changes of this appliance (a subscription on it ends with ACCESS_REVOKED when access ends),
 *        or null for every appliance
 */
public record LiveFilter(Set<ChangeType> types, UUID applianceId) {

    public static final LiveFilter EVERYTHING = new LiveFilter(null, null);

    public LiveFilter {
        types = types == null ? null : Set.copyOf(types);
    }

    public static LiveFilter ofTypes(Set<ChangeType> types, UUID applianceId) {
        return new LiveFilter(types, applianceId);
    }

    boolean wants(ChangeRecord change) {
        if (types != null && !types.contains(change.type())) {
            return false;
        }
        return applianceId == null || applianceId.equals(change.applianceId())
                || applianceId.toString().equals(change.payload().getString("applianceId"));
    }
}
