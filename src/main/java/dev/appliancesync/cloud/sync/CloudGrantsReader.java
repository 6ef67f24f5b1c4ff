package dev.appliancesync.cloud.sync;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.access.Authorizer;
import dev.appliancesync.access.Capability;
import dev.appliancesync.access.Subject;
import dev.appliancesync.appliance.ApplianceAccess;
import dev.appliancesync.appliance.ApplianceRepository;
import dev.appliancesync.cloud.policy.ApplianceGrant;
import dev.appliancesync.cloud.policy.CloudGrants;
import dev.appliancesync.cloud.policy.CloudPermission;
import dev.appliancesync.cloud.policy.HouseholdGrant;
import dev.appliancesync.household.HouseholdAccess;
import dev.appliancesync.household.HouseholdRepository;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.SqlClient;

/**
 * What a user may do through IoT Core directly, as the policies decide it now: the same grants and the same Cedar
 * decisions as the API, turned into {@link CloudPermission}s per appliance.
 * <ul>
 * <li>VIEW: VIEW_STATUS (the status view: reported state, presence, events);</li>
 * <li>ADJUST_SETTINGS: ADJUST_SETTINGS, which is what lets {@code applianceState} show the desired state, so the
 * user may see the settings view.</li>
 * </ul>
 * Nothing is published by apps: commands and settings go through the API, which decides each one. The permissions
 * every appliance of a household has in common become one household grant (the household's view topics, keyed by
 * its prefix); what a single appliance adds stays an appliance grant. Decided without the user's token groups (not
 * known here), so a group-based operator permit never reaches the cloud: that errs on the side of less access.
 */
@ApplicationScoped
public class CloudGrantsReader {

    private final ApplianceRepository appliances;
    private final HouseholdRepository households;
    private final Authorizer authorizer;

    public CloudGrantsReader(ApplianceRepository appliances, HouseholdRepository households, Authorizer authorizer) {
        this.appliances = appliances;
        this.households = households;
        this.authorizer = authorizer;
    }

    public Uni<CloudGrants> read(SqlClient client, UUID userId) {
        return Uni.combine().all().unis(appliances.reachableBy(client, userId), households.of(client, userId))
                .asTuple()
                .map(loaded -> grants(userId, loaded.getItem1(), loaded.getItem2()));
    }

    private CloudGrants grants(UUID userId, List<ApplianceAccess> reachable, List<HouseholdAccess> memberships) {
        Authorizer.Session session = authorizer.session(new Subject(userId, Set.of()));
        Map<UUID, String> prefixOf = new LinkedHashMap<>();
        memberships.stream().filter(m -> m.role() != null)
                .forEach(m -> prefixOf.put(m.household().id(), m.household().thingPrefix()));

        Map<UUID, Set<CloudPermission>> permitted = new LinkedHashMap<>();
        for (ApplianceAccess access : reachable) {
            permitted.put(access.appliance().id(), permissions(session, access));
        }

        List<HouseholdGrant> householdGrants = new ArrayList<>();
        Map<UUID, Set<CloudPermission>> common = new LinkedHashMap<>();
        prefixOf.forEach((householdId, prefix) -> {
            List<ApplianceAccess> inHousehold = reachable.stream()
                    .filter(a -> householdId.equals(a.appliance().householdId())).toList();
            if (inHousehold.isEmpty()) {
                return;
            }
            Set<CloudPermission> shared = EnumSet.allOf(CloudPermission.class);
            for (ApplianceAccess access : inHousehold) {
                shared.retainAll(permitted.get(access.appliance().id()));
            }
            if (!shared.isEmpty()) {
                common.put(householdId, shared);
                householdGrants.add(new HouseholdGrant(prefix, Set.copyOf(shared)));
            }
        });

        List<ApplianceGrant> applianceGrants = new ArrayList<>();
        for (ApplianceAccess access : reachable) {
            Set<CloudPermission> beyondHousehold = EnumSet.noneOf(CloudPermission.class);
            beyondHousehold.addAll(permitted.get(access.appliance().id()));
            UUID householdId = access.appliance().householdId();
            if (householdId != null) {
                beyondHousehold.removeAll(common.getOrDefault(householdId, Set.of()));
            }
            if (!beyondHousehold.isEmpty()) {
                applianceGrants.add(new ApplianceGrant(access.appliance().thingName(), Set.copyOf(beyondHousehold)));
            }
        }
        return new CloudGrants(userId.toString(), householdGrants, applianceGrants);
    }

    private static Set<CloudPermission> permissions(Authorizer.Session session, ApplianceAccess access) {
        Set<CloudPermission> permissions = EnumSet.noneOf(CloudPermission.class);
        if (allowed(session, access, Capability.VIEW_STATUS)) {
            permissions.add(CloudPermission.VIEW);
        }
        if (allowed(session, access, Capability.ADJUST_SETTINGS)) {
            permissions.add(CloudPermission.ADJUST_SETTINGS);
        }
        return permissions;
    }

    private static boolean allowed(Authorizer.Session session, ApplianceAccess access, Capability capability) {
        return session.decide(capability.name(), access.appliance().resource(), access.grants()).allowed();
    }
}
