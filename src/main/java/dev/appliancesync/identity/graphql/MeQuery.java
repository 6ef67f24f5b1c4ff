package dev.appliancesync.identity.graphql;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

import dev.appliancesync.identity.CurrentUser;
import io.smallrye.mutiny.Uni;

@GraphQLApi
public class MeQuery {

    private final CurrentUser currentUser;

    public MeQuery(CurrentUser currentUser) {
        this.currentUser = currentUser;
    }

    @Query("me")
    @NonNull
    @Description("The signed-in user. Signing in for the first time creates the account.")
    public Uni<User> me() {
        return Uni.createFrom().item(currentUser::principal)
                .flatMap(principal -> currentUser.user().map(user -> User.of(user, principal)));
    }
}
