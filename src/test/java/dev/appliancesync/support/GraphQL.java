package dev.appliancesync.support;

import static io.restassured.RestAssured.given;

import java.util.Map;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** GraphQL over HTTP, the way an app sends it. */
public final class GraphQL {

    private GraphQL() {
    }

    public static Response post(String token, String query) {
        return post(token, query, Map.of());
    }

    public static Response post(String token, String query, Map<String, Object> variables) {
        RequestSpecification request = given().contentType(ContentType.JSON)
                .body(Map.of("query", query, "variables", variables));
        if (token != null) {
            request = request.header("Authorization", "Bearer " + token);
        }
        return request.when().post("/graphql");
    }
}
