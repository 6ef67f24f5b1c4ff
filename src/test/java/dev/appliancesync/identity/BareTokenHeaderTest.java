package dev.appliancesync.identity;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.appliancesync.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** AWS Amplify's {@code Authorization: <jwt>}, with no scheme, is accepted on /graphql like a Bearer token. */
@QuarkusTest
class BareTokenHeaderTest {

    private static final String ME = "{ me { username } }";

    @Test
    void aBareAccessTokenAuthenticatesAsItsBearerFormDoes() {
        String username = Tokens.uniqueUsername("amplify");
        String token = Tokens.forUser(username);
        post(token).then().statusCode(200).body("errors", nullValue()).body("data.me.username", equalTo(username));
        post("Bearer " + token).then().statusCode(200).body("data.me.username", equalTo(username));
    }

    @Test
    void aBareTokenThatIsNotValidIsRefusedLikeABadBearerToken() {
        String token = Tokens.forUser(Tokens.uniqueUsername("tampered"));
        String tampered = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
        post(tampered).then().statusCode(401);
        post("Bearer " + tampered).then().statusCode(401);
    }

    private static Response post(String authorization) {
        return given().contentType(ContentType.JSON).header("Authorization", authorization)
                .body(Map.of("query", ME)).when().post("/graphql");
    }
}
