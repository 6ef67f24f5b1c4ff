package dev.appliancesync.cloud.view.graphql;

import java.util.List;
import java.util.UUID;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Name;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Source;

import dev.appliancesync.appliance.graphql.Appliance;
import dev.appliancesync.cloud.view.IotTopicsService;
import dev.appliancesync.identity.CurrentUser;
import io.smallrye.mutiny.Uni;

/**
 * {@code Appliance.iotTopics}: the view topics the caller's IoT policy grants for the appliance, read from the same
 * grants the policy is compiled from ({@code CloudGrantsReader}), so an app subscribes to exactly these and never
 * builds a topic itself. A household membership reaches an appliance through the household's topics, a grant of the
 * appliance itself through the thing's: an app may get either or both.
 */
@GraphQLApi
public class IotTopicsField {

    private final CurrentUser currentUser;
    private final IotTopicsService topics;

    public IotTopicsField(CurrentUser currentUser, IotTopicsService topics) {
        this.currentUser = currentUser;
        this.topics = topics;
    }

    @Name("iotTopics")
    @NonNull
    @Description("The AWS IoT Core topics your IoT policy lets you subscribe to for this appliance (once your cloud "
            + "access is in sync): view/things/{thingName}/status and view/households/{prefix}/status/{thingName} "
            + "carry what VIEW_STATUS shows (reported state, presence, events; never desired), the .../settings ones "
            + "the state with desired (ADJUST_SETTINGS). The service publishes them; apps never publish on IoT Core")
    public Uni<List<@NonNull List<@NonNull String>>> iotTopics(@Source List<Appliance> appliances) {
        List<UUID> ids = appliances.stream().map(a -> UUID.fromString(a.id())).toList();
        return currentUser.user().flatMap(user -> topics.topics(user.id(), ids));
    }
}
