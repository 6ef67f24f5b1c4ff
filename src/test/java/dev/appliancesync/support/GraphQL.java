package dev.appliancesync.support;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
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

    /** The response of a request that must be answered (HTTP 200), errors or not. */
    public static JsonPath answered(String token, String query, Map<String, Object> variables) {
        return post(token, query, variables).then().statusCode(200).extract().jsonPath();
    }

    /** The response of a request that must succeed: answered, with no errors (the query and response say which). */
    public static JsonPath ok(String token, String query, Map<String, Object> variables) {
        JsonPath response = answered(token, query, variables);
        assertThat(response.getList("errors")).as(query + "\n" + response.prettify()).isNull();
        return response;
    }
}
