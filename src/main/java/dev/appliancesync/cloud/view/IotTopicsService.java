package dev.appliancesync.cloud.view;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.cloud.policy.ApplianceGrant;
import dev.appliancesync.cloud.policy.CloudGrants;
import dev.appliancesync.cloud.policy.CloudPermission;
import dev.appliancesync.cloud.policy.HouseholdGrant;
import dev.appliancesync.cloud.sync.CloudGrantsReader;
import dev.appliancesync.cloud.topics.AppTopics;
import dev.appliancesync.cloud.topics.AppTopics.Channel;
import dev.appliancesync.common.db.Transactions;
import io.smallrye.mutiny.Uni;

/**
 * The AWS IoT Core topics a user's cloud grants open for appliances: a household membership reaches an appliance
 * through the household's topics, a grant of the appliance itself through the thing's.
 */
@ApplicationScoped
public class IotTopicsService {

    private final Transactions db;
    private final CloudGrantsReader grants;
    private final AppliancePlacements placements;

    public IotTopicsService(Transactions db, CloudGrantsReader grants, AppliancePlacements placements) {
        this.db = db;
        this.grants = grants;
        this.placements = placements;
    }

    /** The topics of each appliance, in the order given (none for an appliance that no longer exists). */
    public Uni<List<List<String>>> topics(UUID userId, List<UUID> applianceIds) {
        return Uni.combine().all().unis(grants.read(db.reads(), userId), placements.of(applianceIds)).asTuple()
                .map(loaded -> applianceIds.stream().map(id -> {
                    Placement placement = loaded.getItem2().get(id);
                    return placement == null ? List.<String> of()
                            : topics(loaded.getItem1(), placement.thingName(), placement.householdPrefix());
                }).toList());
    }

    /** The topics these grants open for the thing, in household {@code householdPrefix} (null: in none). */
    static List<String> topics(CloudGrants granted, String thingName, String householdPrefix) {
        List<String> topics = new ArrayList<>();
        for (ApplianceGrant grant : granted.appliances()) {
            if (grant.thingName().equals(thingName)) {
                for (Channel channel : CloudPermission.channels(grant.permissions())) {
                    topics.add(AppTopics.ofThing(thingName, channel));
                }
            }
        }
        for (HouseholdGrant grant : granted.households()) {
            if (grant.thingPrefix().equals(householdPrefix)) {
                for (Channel channel : CloudPermission.channels(grant.permissions())) {
                    topics.add(AppTopics.ofHousehold(grant.thingPrefix(), channel, thingName));
                }
            }
        }
        return topics;
    }
}
