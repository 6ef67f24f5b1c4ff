package dev.appliancesync.identity.graphql;

import java.util.List;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Id;
import org.eclipse.microprofile.graphql.NonNull;

import dev.appliancesync.identity.AppUser;
import dev.appliancesync.identity.SignedInPrincipal;

@Description("A person with an account")
public record User(
        @NonNull @Id String id,
        @Description("The sign-in name") String username,
        @Description("Lower-case; shares are addressed to it") String email,
        @NonNull boolean emailVerified,
        @NonNull @Description("Identity-provider groups (Cognito groups), e.g. admin") List<@NonNull String> groups) {

    static User of(AppUser user, SignedInPrincipal principal) {
        return new User(user.id().toString(), user.username(), user.email(), user.emailVerified(),
                principal.groups().stream().sorted().toList());
    }
}
