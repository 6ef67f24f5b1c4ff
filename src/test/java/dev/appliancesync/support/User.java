package dev.appliancesync.support;

import static org.hamcrest.Matchers.nullValue;

import java.util.List;

/** A signed-in test user: unique name, verified email, token, and the id the service gave them. */
public record User(String username, String email, String token, String id) {

    public static User signedIn(String prefix) {
        return signedIn(prefix, List.of());
    }

    public static User signedIn(String prefix, List<String> groups) {
        String username = Tokens.uniqueUsername(prefix);
        String email = username + "@example.com";
        String token = Tokens.forUser(username, email, groups);
        String id = GraphQL.post(token, "{ me { id } }").then().statusCode(200).body("errors", nullValue())
                .extract().path("data.me.id");
        return new User(username, email, token, id);
    }
}
