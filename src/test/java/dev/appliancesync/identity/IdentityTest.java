package dev.appliancesync.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.appliancesync.identity.dev.DevSigningKey;
import dev.appliancesync.identity.dev.DevTokenIssuer;
import dev.appliancesync.common.metrics.ServiceMetrics;
import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.Database;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.Households;
import dev.appliancesync.support.Tokens;
import dev.appliancesync.support.User;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.build.JwtClaimsBuilder;

@QuarkusTest
class IdentityTest {

    private static final String ME = "{ me { id username email emailVerified groups } }";

    @Inject
    DevTokenIssuer issuer;

    @Inject
    Database database;

    @Inject
    UserService users;

    @Inject
    MeterRegistry metrics;

    @Test
    void firstAuthenticatedCallCreatesTheUserAndLaterCallsFindIt() {
        String username = Tokens.uniqueUsername("alice");
        String subject = DevTokenIssuer.subjectOf(username);
        assertThat(database.usersWithSubject(subject)).isZero();

        String token = Tokens.forUser(username, username.toUpperCase() + "@Example.com", List.of("admin", "beta"));
        String id = GraphQL.post(token, ME).then().statusCode(200)
                .body("errors", nullValue())
                .body("data.me.username", equalTo(username))
                .body("data.me.email", equalTo(username + "@example.com"))
                .body("data.me.emailVerified", equalTo(true))
                .body("data.me.groups", equalTo(List.of("admin", "beta")))
                .extract().path("data.me.id");

        GraphQL.post(Tokens.forUser(username, username + "@example.com", List.of()), ME).then().statusCode(200)
                .body("data.me.id", equalTo(id))
                .body("data.me.groups", equalTo(List.of()));
        assertThat(database.usersWithSubject(subject)).isOne();
    }

    /**
     * A request of a user whose row already says what their token says signs in with a read: the row is neither
     * written nor locked (a lock sets the row's xmax, so does an update; the upsert used to lock it on every request).
     * A token with a new email still updates the row on its first request. The sign-in kept for the window is
     * forgotten before each request, so that each one reads rather than finding it kept.
     */
    @Test
    void anUnchangedUserSignsInWithoutTouchingTheirRowAndAChangedOneIsUpdated() {
        String username = Tokens.uniqueUsername("reader");
        String subject = DevTokenIssuer.subjectOf(username);
        String token = Tokens.forUser(username, username + "@example.com", List.of());
        String id = GraphQL.post(token, ME).then().statusCode(200).body("errors", nullValue())
                .extract().path("data.me.id");
        List<String> before = database.strings("select xmin::text || '/' || xmax::text from app_user where subject = $1",
                subject);

        double signIns = signIns();
        for (int i = 0; i < 3; i++) {
            users.forgetRecentSignIns();
            GraphQL.post(token, ME).then().statusCode(200).body("data.me.id", equalTo(id));
        }
        assertThat(signIns() - signIns).as("sign-ins run for three requests").isEqualTo(3);
        assertThat(database.strings("select xmin::text || '/' || xmax::text from app_user where subject = $1", subject))
                .as("the row's versions after three more requests with the same token").isEqualTo(before);

        GraphQL.post(Tokens.forUser(username, username + ".new@example.com", List.of()), ME).then().statusCode(200)
                .body("data.me.id", equalTo(id)).body("data.me.email", equalTo(username + ".new@example.com"));
        assertThat(database.strings("select email from app_user where subject = $1", subject))
                .containsExactly(username + ".new@example.com");
    }

    /**
     * A pending household invitation waits for the invitee to accept it, not for a sign-in: their requests still sign
     * in with a read, and the invitation stays pending.
     */
    @Test
    void aPendingHouseholdInvitationDoesNotMakeEverySignInATransaction() {
        User owner = User.signedIn("household-owner");
        User invitee = User.signedIn("household-invitee");
        String household = GraphQL.post(owner.token(), "mutation { createHousehold(name: \"Home\") { id } }").then()
                .statusCode(200).body("errors", nullValue()).extract().path("data.createHousehold.id");
        String invitation = Households.invite(owner.token(), household, invitee.email(), "FAMILY");
        String subject = DevTokenIssuer.subjectOf(invitee.username());
        List<String> before = database.strings("select xmin::text || '/' || xmax::text from app_user where subject = $1",
                subject);

        for (int i = 0; i < 2; i++) {
            users.forgetRecentSignIns();
            GraphQL.post(invitee.token(), ME).then().statusCode(200).body("data.me.id", equalTo(invitee.id()));
        }

        assertThat(database.strings("select xmin::text || '/' || xmax::text from app_user where subject = $1", subject))
                .as("the invitee's row after two requests").isEqualTo(before);
        assertThat(database.count("select count(*) from invitation where id = $1::uuid and accepted_at is null",
                invitation)).isOne();
    }

    /**
     * A sign-in kept for the window answers only the token facts it was asked with: a token with a new email is
     * written on its first request, however soon after the last, and an older token of the user coming back after it
     * (another device not refreshed yet) is not answered by what it signed in as before: it signs in and writes its
     * email back, as every request did before sign-ins were kept.
     */
    @Test
    void aChangedTokenIsWrittenOnItsFirstRequestEvenWithinTheWindow() {
        String username = Tokens.uniqueUsername("changing");
        String subject = DevTokenIssuer.subjectOf(username);
        String old = Tokens.forUser(username, username + "@example.com", List.of());
        String renewed = Tokens.forUser(username, username + ".new@example.com", List.of());
        double signIns = signIns();

        String id = GraphQL.post(old, ME).then().statusCode(200).body("errors", nullValue())
                .extract().path("data.me.id");
        GraphQL.post(renewed, ME).then().statusCode(200).body("data.me.id", equalTo(id))
                .body("data.me.email", equalTo(username + ".new@example.com"));
        assertThat(database.strings("select email from app_user where subject = $1", subject))
                .containsExactly(username + ".new@example.com");
        GraphQL.post(old, ME).then().statusCode(200).body("data.me.id", equalTo(id))
                .body("data.me.email", equalTo(username + "@example.com"));
        assertThat(database.strings("select email from app_user where subject = $1", subject))
                .containsExactly(username + "@example.com");

        assertThat(signIns() - signIns).as("sign-ins run: first, new email, old email again").isEqualTo(3);
    }

    /**
     * An appliance invitation committed just after the invitee's first sign-in looked for invitations (sharing found
     * no account with that verified email yet, and the sign-in did not see the invitation yet) is accepted by a later
     * request of theirs with the same token, once the sign-in kept for the window has expired: within the bound here,
     * far longer than the window (appliance-sync.identity.reuse-sign-in-for, 2 s).
     */
    @Test
    void anInvitationThatRacedWithTheFirstSignInIsAcceptedOnceTheWindowHasPassed() {
        User owner = User.signedIn("inviter");
        Appliances.Claimed oven = Appliances.claimed(owner.token(), "MINI_OVEN");
        User invitee = User.signedIn("raced");
        // The race's outcome, written as it commits: an invitation for an email whose account already exists.
        database.number("""
                insert into invitation (appliance_id, email, role, invited_by)
                values ($1::uuid, $2, 'GUEST', $3::uuid) returning 1""", oven.id(), invitee.email(), owner.id());

        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> GraphQL.post(
                invitee.token(), "{ appliances { id } }").then().statusCode(200).body("errors", nullValue())
                .extract().<List<String>> path("data.appliances.id").contains(oven.id()));
        assertThat(database.count("select count(*) from invitation where appliance_id = $1::uuid and email = $2 "
                + "and accepted_at is not null", oven.id(), invitee.email())).isOne();
    }

    /**
     * An app at start-up sends several requests at once for a user who has never signed in: every one of them signs
     * the user in, as one account. (The sign-in statement that lost the race to create the row used to find no row,
     * and its request failed with INTERNAL.)
     */
    @Test
    void concurrentFirstRequestsOfANewUserAllSucceedAsOneAccount() throws Exception {
        int users = 20;
        int atOnce = 6;
        ExecutorService requests = Executors.newFixedThreadPool(atOnce);
        try {
            for (int u = 0; u < users; u++) {
                String username = Tokens.uniqueUsername("eager");
                String token = Tokens.forUser(username, username + "@example.com", List.of());
                CyclicBarrier together = new CyclicBarrier(atOnce);
                List<Future<Map<String, Object>>> answers = new ArrayList<>();
                for (int r = 0; r < atOnce; r++) {
                    answers.add(requests.submit(() -> {
                        together.await(10, TimeUnit.SECONDS);
                        return GraphQL.post(token, "{ me { id } }").then().statusCode(200).extract().jsonPath()
                                .getMap("");
                    }));
                }
                Set<Object> ids = new HashSet<>();
                for (Future<Map<String, Object>> answer : answers) {
                    Map<String, Object> body = answer.get(30, TimeUnit.SECONDS);
                    assertThat(body).as("every first request of %s", username).doesNotContainKey("errors");
                    ids.add(((Map<?, ?>) body.get("data")).get("me") instanceof Map<?, ?> me ? me.get("id") : null);
                }
                assertThat(ids).as("one account").hasSize(1).doesNotContainNull();
                assertThat(database.usersWithSubject(DevTokenIssuer.subjectOf(username))).isOne();
            }
        } finally {
            requests.shutdownNow();
        }
    }

    @Test
    void aTokenWithoutEmailSignsInWithoutOne() {
        String username = Tokens.uniqueUsername("noemail");
        String token = issuer.sign(issuer.cognitoAccessToken(username, Instant.now(),
                Instant.now().plus(5, ChronoUnit.MINUTES)));

        GraphQL.post(token, ME).then().statusCode(200)
                .body("data.me.email", nullValue())
                .body("data.me.emailVerified", equalTo(false));
    }

    @Test
    void withoutATokenMeIsUnauthenticated() {
        long users = database.users();
        GraphQL.post(null, ME).then().statusCode(200)
                .body("data", nullValue())
                .body("errors[0].extensions.code", equalTo("UNAUTHENTICATED"))
                .body("errors[0].path", equalTo(List.of("me")));
        assertThat(database.users()).isEqualTo(users);
    }

    static Stream<Arguments> badTokens() {
        return Stream.of(
                Arguments.of("expired", (Function<JwtClaimsBuilder, JwtClaimsBuilder>) claims -> claims
                        .issuedAt(Instant.now().minus(2, ChronoUnit.HOURS))
                        .expiresAt(Instant.now().minus(1, ChronoUnit.HOURS)), false),
                Arguments.of("wrong issuer", (Function<JwtClaimsBuilder, JwtClaimsBuilder>) claims -> claims
                        .issuer("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_someoneElse"), false),
                Arguments.of("ID token", (Function<JwtClaimsBuilder, JwtClaimsBuilder>) claims -> claims
                        .claim("token_use", "id"), false),
                Arguments.of("other app client", (Function<JwtClaimsBuilder, JwtClaimsBuilder>) claims -> claims
                        .claim("client_id", "another-app"), false),
                Arguments.of("no token_use", (Function<JwtClaimsBuilder, JwtClaimsBuilder>) claims -> claims
                        .remove("token_use"), false),
                Arguments.of("signed by another key", Function.<JwtClaimsBuilder> identity(), true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTokens")
    void badTokensAreRejectedAndLeaveNoTrace(String name, Function<JwtClaimsBuilder, JwtClaimsBuilder> spoil,
            boolean foreignKey) {
        String username = Tokens.uniqueUsername("mallory");
        JwtClaimsBuilder claims = spoil.apply(issuer.cognitoAccessToken(username, Instant.now(),
                Instant.now().plus(5, ChronoUnit.MINUTES)));
        String token = foreignKey
                ? claims.jws().algorithm(SignatureAlgorithm.RS256).keyId("forged")
                        .sign(DevSigningKey.generate().privateKey())
                : issuer.sign(claims);

        GraphQL.post(token, ME).then().statusCode(401);
        assertThat(database.usersWithSubject(DevTokenIssuer.subjectOf(username))).isZero();
    }

    @Test
    void garbageInTheAuthorizationHeaderIsRejected() {
        long users = database.users();
        GraphQL.post("not-a-jwt", ME).then().statusCode(401);
        assertThat(database.users()).isEqualTo(users);
    }

    @Test
    void devTokenRequestsAreValidated() {
        for (Map<String, Object> body : List.<Map<String, Object>> of(
                Map.of("username", ""),
                Map.of("username", "has space"),
                Map.of("username", "bob", "email", "not-an-email"),
                Map.of("username", "bob", "groups", List.of("bad group")),
                Map.of("username", "bob", "expiresInSeconds", 0),
                Map.of("username", "bob", "expiresInSeconds", 10_000_000))) {
            RestAssured.given().contentType(ContentType.JSON).body(body).post("/dev/token")
                    .then().statusCode(400).body("code", equalTo("VALIDATION"));
        }
    }

    private double signIns() {
        return metrics.get(ServiceMetrics.IDENTITY_SIGN_INS).counter().count();
    }
}
