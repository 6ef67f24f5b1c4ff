package dev.appliancesync.support;

import java.util.Map;
import java.util.UUID;

import io.restassured.response.ValidatableResponse;

/** Cognito identity pool identities as a user's app links them ({@code linkCloudIdentity}). */
public final class CloudIdentity {

    private CloudIdentity() {
    }

    /** A fresh identity id, shaped as the identity pool's GetId returns it. */
    public static String newId() {
        return "eu-west-1:" + UUID.randomUUID();
    }

    public static ValidatableResponse link(User user, String identityId) {
        return GraphQL.post(user.token(), "mutation($i: String!) { linkCloudIdentity(identityId: $i) { identityId } }",
                Map.of("i", identityId)).then().statusCode(200);
    }
}
