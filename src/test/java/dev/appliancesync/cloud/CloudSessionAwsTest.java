package dev.appliancesync.cloud;

import static dev.appliancesync.cloud.gateway.CloudOperation.GET_OPEN_ID_TOKEN_FOR_DEVELOPER_IDENTITY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.appliancesync.cloud.FakeAws.Fault;
import dev.appliancesync.cloud.FakeAwsResource.InjectFakeAws;
import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.CloudSessions;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.User;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import software.amazon.awssdk.services.cognitoidentity.model.NotAuthorizedException;

/**
 * Credential vending end to end in {@code aws} mode: {@code openCloudSession} through GraphQL, the service's
 * GetOpenIdTokenForDeveloperIdentity through the real SDK to {@link FakeAws}'s identity pool, and the app's
 * GetCredentialsForIdentity through the real SDK with what the service handed it. Same profile as
 * {@link CloudSyncAwsTest}, so both run on one application.
 */
@QuarkusTest
@TestProfile(CloudSyncAwsTest.AwsMode.class)
class CloudSessionAwsTest {

    private static final String UUID_PATTERN = "[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}";
    /** The default appliance-sync.cloud.identity-pool.token-duration. */
    private static final Duration TOKEN_DURATION = Duration.ofMinutes(15);

    @InjectFakeAws
    FakeAws aws;

    private CloudUsers users;
    private AppCognito app;

    @BeforeEach
    void setUp() {
        users = new CloudUsers(aws);
        app = new AppCognito(aws, FakeAws.REGION);
    }

    @AfterEach
    void tearDown() {
        app.close();
        aws.heal();
        assertThat(aws.unknownRequests()).isEmpty();
    }

    @Test
    void eachUserIsVendedTheirOwnIdentityTheSameEveryTimeAndATokenOpensOnlyItsOwn() {
        User alice = users.signedIn("vend-alice");
        User bob = users.signedIn("vend-bob");

        OffsetDateTime before = OffsetDateTime.now();
        JsonPath first = CloudSessions.opened(alice);
        JsonPath again = CloudSessions.opened(alice);
        JsonPath bobs = CloudSessions.opened(bob);

        String identity = first.getString("identityId");
        assertThat(identity).matches(FakeAws.REGION + ":" + UUID_PATTERN).isEqualTo(again.getString("identityId"))
                .isNotEqualTo(bobs.getString("identityId"));
        assertThat(aws.identityOf(alice.id())).as("Cognito's identity for Alice's login").contains(identity);
        assertThat(first.getString("identityPoolId")).isEqualTo(FakeAws.IDENTITY_POOL_ID);
        assertThat(first.getString("region")).isEqualTo(FakeAws.REGION);
        assertThat(first.getString("iotEndpoint")).isNull();
        assertThat(OffsetDateTime.parse(first.getString("expiresAt")))
                .isBetween(before.plus(TOKEN_DURATION).minusSeconds(1), OffsetDateTime.now().plus(TOKEN_DURATION));
        assertThat(first.getString("cloudAccess.identityId")).isEqualTo(identity);
        assertThat(first.getString("token")).isNotEqualTo(again.getString("token"));

        // As the apps would: each token gets credentials for its own identity, and for no other.
        assertThat(app.credentials(identity, first.getString("token")).identityId()).isEqualTo(identity);
        assertThat(app.credentials(identity, again.getString("token")).identityId()).isEqualTo(identity);
        assertThatThrownBy(() -> app.credentials(bobs.getString("identityId"), first.getString("token")))
                .isInstanceOf(NotAuthorizedException.class);
        assertThatThrownBy(() -> app.credentials(identity, bobs.getString("token")))
                .isInstanceOf(NotAuthorizedException.class);
    }

    /**
     * The squat the README used to admit: Mallory learns Alice's identity id and names it first, so that Alice can no
     * longer link it. Now no request names an identity at all, and Mallory's session does not touch Alice's.
     */
    @Test
    void noOneCanNameAnotherUsersIdentitySoNoOneCanBlockIt() {
        User alice = users.signedIn("vend-victim");
        User mallory = users.signedIn("vend-mallory");
        String alices = CloudSessions.identityOf(alice);

        GraphQL.post(mallory.token(), "mutation($i: String!) { linkCloudIdentity(identityId: $i) { identityId } }",
                Map.of("i", alices)).then().statusCode(200)
                .body("errors[0].extensions.code", equalTo("GRAPHQL_VALIDATION_FAILED"));
        GraphQL.post(mallory.token(), "mutation($i: String!) { openCloudSession(identityId: $i) { identityId } }",
                Map.of("i", alices)).then().statusCode(200)
                .body("errors[0].extensions.code", equalTo("GRAPHQL_VALIDATION_FAILED"));
        List<Object> arguments = GraphQL.post(mallory.token(), """
                { __type(name: "Mutation") { fields { name args { name } } } }""").then().statusCode(200)
                .body("errors", nullValue()).extract().jsonPath()
                .getList("data.__type.fields.find { it.name == 'openCloudSession' }.args");
        assertThat(arguments).as("openCloudSession takes nothing a client could point at someone else").isEmpty();

        String mallorys = CloudSessions.identityOf(mallory);
        assertThat(mallorys).isNotEqualTo(alices);
        assertThat(CloudSessions.identityOf(alice)).as("Alice keeps hers").isEqualTo(alices);
        assertThat(CloudUsers.cloudAccess(alice).getString("status")).isNotEqualTo("FAILED");
    }

    @Test
    void theUsersPoliciesAreAttachedToTheVendedIdentityAndTheTokenCarriesTheirTags() {
        User owner = users.signedIn("vend-owner");
        User guest = users.signedIn("vend-guest");
        Appliances.Claimed appliance = Appliances.claimed(owner.token(), "GENERIC");
        Appliances.share(owner.token(), appliance.id(), guest.email(), "FAMILY");
        CloudUsers.awaitApplied(guest);
        long generationBefore = CloudUsers.cloudAccess(guest).getLong("desiredGeneration");

        JsonPath session = CloudSessions.opened(guest);
        String identity = session.getString("identityId");
        assertThat(session.getLong("cloudAccess.desiredGeneration")).as("a new identity is a new generation to apply")
                .isGreaterThan(generationBefore);
        assertThat(session.getString("cloudAccess.status")).isIn("PENDING", "IN_SYNC");

        CloudUsers.awaitApplied(guest);
        JsonPath access = GraphQL.post(guest.token(),
                "{ cloudAccess { identityId status policies { name } principalTags { key value } } }").then()
                .statusCode(200).body("errors", nullValue()).extract().jsonPath().setRootPath("data.cloudAccess");
        List<String> policies = access.getList("policies.name");
        assertThat(policies).isNotEmpty();
        assertThat(aws.attached(identity)).containsExactlyInAnyOrderElementsOf(policies);
        assertThat(access.getString("identityId")).isEqualTo(identity);

        Map<String, String> tags = new TreeMap<>();
        access.<Map<String, String>> getList("principalTags").forEach(t -> tags.put(t.get("key"), t.get("value")));
        assertThat(tags).isNotEmpty();
        assertThat(aws.principalTags(session.getString("token"))).as("the role gate's tags travel in the token")
                .isEqualTo(tags);
        app.credentials(identity, session.getString("token"));
        assertThat(aws.credentialsIssued().getLast().sessionTags()).isEqualTo(tags);
    }

    @Test
    void throttlingAndCognitosOwnFailuresAreRetriedWithinTheRequest() {
        User user = users.signedIn("vend-throttled");
        aws.resetCalls();
        aws.failNext(GET_OPEN_ID_TOKEN_FOR_DEVELOPER_IDENTITY, 2, Fault.TOO_MANY_REQUESTS);
        aws.failNext(GET_OPEN_ID_TOKEN_FOR_DEVELOPER_IDENTITY, 1, Fault.INTERNAL_ERROR);

        String identity = CloudSessions.identityOf(user);

        assertThat(aws.identityOf(user.id())).contains(identity);
        assertThat(statuses()).containsExactly(400, 400, 500, 200);
    }

    @Test
    void aRefusalOrAnOutageIsATypedErrorRecordsNothingAndOthersAreStillServed() {
        User user = users.signedIn("vend-refused");
        JsonPath before = CloudUsers.cloudAccess(user);
        aws.resetCalls();

        aws.failNext(GET_OPEN_ID_TOKEN_FOR_DEVELOPER_IDENTITY, 1, Fault.NOT_AUTHORIZED);
        CloudSessions.open(user).body("data", nullValue())
                .body("errors[0].extensions.code", equalTo("CLOUD_REFUSED"))
                .body("errors[0].extensions.awsCode", equalTo("NotAuthorizedException"))
                .body("errors[0].message", not(containsString(FakeAws.IDENTITY_POOL_ID)));
        assertThat(statuses()).as("a refusal is not retried").containsExactly(400);

        aws.resetCalls();
        // Every attempt the gateway makes (5 by default) fails on Cognito's side.
        aws.failNext(GET_OPEN_ID_TOKEN_FOR_DEVELOPER_IDENTITY, 5, Fault.INTERNAL_ERROR);
        CloudSessions.open(user).body("data", nullValue())
                .body("errors[0].extensions.code", equalTo("CLOUD_UNAVAILABLE"))
                .body("errors[0].extensions.awsCode", equalTo("InternalErrorException"))
                .body("errors[0].extensions.attempts", equalTo(5));
        assertThat(statuses()).containsExactly(500, 500, 500, 500, 500);

        JsonPath after = CloudUsers.cloudAccess(user);
        assertThat(after.getString("identityId")).as("nothing recorded").isNull();
        assertThat(after.getLong("desiredGeneration")).isEqualTo(before.getLong("desiredGeneration"));
        assertThat(aws.identityOf(user.id())).isEmpty();

        User other = users.signedIn("vend-unaffected");
        assertThat(CloudSessions.identityOf(other)).isEqualTo(aws.identityOf(other.id()).orElseThrow());
        assertThat(CloudSessions.identityOf(user)).as("the same user, once AWS answers again")
                .isEqualTo(aws.identityOf(user.id()).orElseThrow());
    }

    private List<Integer> statuses() {
        return aws.callLog().stream().filter(c -> c.operation() == GET_OPEN_ID_TOKEN_FOR_DEVELOPER_IDENTITY)
                .map(FakeAws.Call::status).toList();
    }
}
