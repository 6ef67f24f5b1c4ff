package dev.appliancesync.cloud;

import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;

import dev.appliancesync.support.CloudSessions;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.User;
import io.restassured.path.json.JsonPath;

/**
 * Users as the {@code aws}-mode tests need them: signed in to the service and present in {@link FakeAws}'s user pool
 * (the reconciler reads and sets every user's attributes there, owners' too, and AdminGetUser of anyone else is
 * refused), with the Cognito identity the service vended them where policies are to be attached, and their cloud access applied before
 * the test goes on, so that no earlier work of theirs mixes into what the test then counts or injects.
 */
public final class CloudUsers {

    /** Applying one user takes a few calls per reconciler pass; this leaves room for a busy machine. */
    private static final Duration APPLIED_WITHIN = Duration.ofSeconds(20);

    private final FakeAws aws;

    public CloudUsers(FakeAws aws) {
        this.aws = aws;
    }

    /** A user with a vended identity and everything applied so far. */
    public record WithIdentity(User user, String identity) {
    }

    /** Signed in and in the user pool. */
    public User signedIn(String prefix) {
        User user = User.signedIn(prefix);
        aws.addUser(user.username(), Map.of());
        return user;
    }

    /** Signed in, in the pool, a session opened (so an identity vended), and applied (nothing pending for them). */
    public WithIdentity withIdentity(String prefix) {
        return withIdentity(prefix, 1).get(0);
    }

    /** {@code count} such users, all vended at once and then awaited, so the reconciler applies them in batches. */
    public List<WithIdentity> withIdentity(String prefix, int count) {
        List<WithIdentity> users = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            User user = signedIn(prefix);
            users.add(new WithIdentity(user, CloudSessions.identityOf(user)));
        }
        users.forEach(each -> awaitApplied(each.user()));
        return users;
    }

    /** The user's {@code cloudAccess}: identity, status, generations, last error, policies (name, document). */
    public static JsonPath cloudAccess(User user) {
        return GraphQL.post(user.token(), """
                { cloudAccess { identityId status desiredGeneration appliedGeneration lastError
                                policies { name document } } }""")
                .then().statusCode(200).body("errors", nullValue()).extract().jsonPath().setRootPath("data.cloudAccess");
    }

    /**
     * Waits until AWS has the user's latest desired generation. By generations, not status: a drift check turns an
     * applied user PENDING for a moment. A refusal fails at once, with AWS's reason.
     */
    public static void awaitApplied(User user) {
        Awaitility.await("cloud access of " + user.username() + " applied").atMost(APPLIED_WITHIN)
                .pollInterval(Duration.ofMillis(50))
                .failFast("AWS refused the cloud access of " + user.username(),
                        () -> "FAILED".equals(cloudAccess(user).getString("status")))
                .until(() -> {
                    JsonPath access = cloudAccess(user);
                    return access.getLong("appliedGeneration") == access.getLong("desiredGeneration");
                });
    }
}
