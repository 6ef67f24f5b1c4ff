package dev.appliancesync.cloud.view.graphql;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
import io.vertx.mutiny.sqlclient.Tuple;

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
        List<String> thingNames = appliances.stream().map(Appliance::thingName).toList();
        return currentUser.user()
                .flatMap(user -> Uni.combine().all().unis(grants.read(db.reads(), user.id()),
                        householdPrefixes(thingNames)).asTuple())
                .map(loaded -> thingNames.stream()
                        .map(thing -> topics(loaded.getItem1(), thing, loaded.getItem2().get(thing))).toList());
    }

    /** The household prefix of each of these things that is in a household. */
    private Uni<Map<String, String>> householdPrefixes(List<String> thingNames) {
        return db.reads().preparedQuery("select a.thing_name, h.thing_prefix from appliance a "
                        + "join household h on h.id = a.household_id where a.thing_name = any($1)")
                .execute(Tuple.of(thingNames.toArray(String[]::new)))
                .map(rows -> {
                    Map<String, String> prefixes = new HashMap<>();
                    rows.forEach(row -> prefixes.put(row.getString("thing_name"), row.getString("thing_prefix")));
                    return prefixes;
                });
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
