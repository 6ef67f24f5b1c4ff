package dev.appliancesync.cloud.view.graphql;

import java.util.ArrayList;
import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Source;

import dev.appliancesync.appliance.graphql.Appliance;
import dev.appliancesync.cloud.policy.ApplianceGrant;
import dev.appliancesync.cloud.policy.CloudGrants;
import dev.appliancesync.cloud.policy.CloudPermission;
import dev.appliancesync.cloud.policy.HouseholdGrant;
import dev.appliancesync.cloud.sync.CloudGrantsReader;
import dev.appliancesync.cloud.topics.AppTopics;
import dev.appliancesync.cloud.topics.AppTopics.Channel;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.identity.CurrentUser;
import io.smallrye.mutiny.Uni;

/**
 * {@code Appliance.iotTopics}: the view topics the caller's IoT policy grants for the appliance, read from the same
 * grants the policy is compiled from ({@link CloudGrantsReader}), so an app subscribes to exactly these and never
 * builds a topic itself. A household membership reaches an appliance through the household's topics, a grant of the
 * appliance itself through the thing's: an app may get either or both.
 */
@GraphQLApi
public class IotTopicsField {

    private final CurrentUser currentUser;
    private final CloudGrantsReader grants;
    private final Transactions db;

    public IotTopicsField(CurrentUser currentUser, CloudGrantsReader grants, Transactions db) {
        this.currentUser = currentUser;
        this.grants = grants;
        this.db = db;
    }

    @Name("iotTopics")
    @NonNull
    @Description("The AWS IoT Core topics your IoT policy lets you subscribe to for this appliance (once your cloud "
            + "access is in sync): view/things/{thingName}/status and view/households/{prefix}/status/{thingName} "
            + "carry what VIEW_STATUS shows (reported state, presence, events; never desired), the .../settings ones "
            + "the state with desired (ADJUST_SETTINGS). The service publishes them; apps never publish on IoT Core")
    public Uni<List<@NonNull List<@NonNull String>>> iotTopics(@Source List<Appliance> appliances) {
        return currentUser.user().flatMap(user -> grants.read(db.reads(), user.id()))
                .map(granted -> appliances.stream().map(appliance -> topics(granted, appliance.thingName())).toList());
    }

    static List<String> topics(CloudGrants granted, String thingName) {
        List<String> topics = new ArrayList<>();
        for (ApplianceGrant grant : granted.appliances()) {
            if (grant.thingName().equals(thingName)) {
                for (Channel channel : channels(grant.permissions())) {
                    topics.add(AppTopics.ofThing(thingName, channel));
                }
            }
        }
        for (HouseholdGrant grant : granted.households()) {
            if (grant.thingNames().contains(thingName)) {
                for (Channel channel : channels(grant.permissions())) {
                    topics.add(AppTopics.ofHousehold(grant.thingPrefix(), channel, thingName));
                }
            }
        }
        return topics;
    }

    private static List<Channel> channels(java.util.Set<CloudPermission> permissions) {
        List<Channel> channels = new ArrayList<>(2);
        if (permissions.contains(CloudPermission.VIEW)) {
            channels.add(Channel.STATUS);
        }
        if (permissions.contains(CloudPermission.ADJUST_SETTINGS)) {
            channels.add(Channel.SETTINGS);
        }
        return channels;
    }
}
