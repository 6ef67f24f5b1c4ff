package dev.appliancesync.state.graphql;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Id;

import dev.appliancesync.identity.CurrentUser;
import io.smallrye.graphql.api.Subscription;
import io.smallrye.mutiny.Multi;

@GraphQLApi
public class ApplianceStateSubscription {

    private final CurrentUser currentUser;
    private final ApplianceStateStreams streams;

    public ApplianceStateSubscription(CurrentUser currentUser, ApplianceStateStreams streams) {
        this.currentUser = currentUser;
        this.streams = streams;
    }

    @Subscription("applianceState")
    @Description("The current state of one appliance (or, without `applianceId`, of every appliance whose status you may "
            + "view) at once, then every newer state as it is reported. On one appliance, the subscription ends with "
            + "ACCESS_REVOKED when your access ends; on all of them, that appliance's states simply stop.")
    public Multi<ApplianceState> applianceState(@Id String applianceId) {
        currentUser.principal();
        return streams.open(currentUser.caller(), applianceId);
    }
}
