package dev.appliancesync.support;

import static org.hamcrest.Matchers.nullValue;

import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;

/** A user's app asking for its cloud identity and token ({@code openCloudSession}). */
public final class CloudSessions {

    public static final String OPEN = """
            mutation { openCloudSession {
              identityId token identityPoolId region expiresAt iotEndpoint
              cloudAccess { identityId status desiredGeneration appliedGeneration } } }""";

    private CloudSessions() {
    }

    /** The answer as it is, errors and all. */
    public static ValidatableResponse open(User user) {
        return GraphQL.post(user.token(), OPEN).then().statusCode(200);
    }

    /** A session that must open: {@code data.openCloudSession}. */
    public static JsonPath opened(User user) {
        return open(user).body("errors", nullValue()).extract().jsonPath().setRootPath("data.openCloudSession");
    }

    /** The identity the service vended the user. */
    public static String identityOf(User user) {
        return opened(user).getString("identityId");
    }
}
