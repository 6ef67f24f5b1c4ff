package dev.appliancesync.support;

import static io.restassured.RestAssured.given;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.restassured.http.ContentType;

/** Dev tokens from {@code POST /dev/token}, as a developer gets them. */
public final class Tokens {

    private Tokens() {
    }

    /** A username no other test uses, so tests never see each other's data. */
    public static String uniqueUsername(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public static String forUser(String username) {
        return forUser(username, username + "@example.com", List.of());
    }

    public static String forUser(String username, String email, List<String> groups) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("username", username, "email", email, "groups", groups))
                .when().post("/dev/token")
                .then().statusCode(200)
                .extract().path("access_token");
    }
}
