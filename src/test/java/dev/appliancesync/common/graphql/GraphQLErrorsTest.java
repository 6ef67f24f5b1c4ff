package dev.appliancesync.common.graphql;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.appliancesync.support.Database;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Every malformed or abusive request gets a coded error, and none of them writes anything. */
@QuarkusTest
class GraphQLErrorsTest {

    @Inject
    Database database;

    private String token;
    private long usersBefore;

    @BeforeEach
    void signIn() {
        token = Tokens.forUser(Tokens.uniqueUsername("errors"));
        GraphQL.post(token, "{ me { id } }").then().body("errors", nullValue());
        usersBefore = database.users();
    }

    @AfterEach
    void nothingWasWritten() {
        assertThat(database.users()).isEqualTo(usersBefore);
    }

    @Test
    void syntaxErrorsAreRejectedWithTheirLocation() {
        GraphQL.post(token, "{ me { id ").then().statusCode(400)
                .body("errors[0].extensions.code", equalTo("GRAPHQL_PARSE_FAILED"))
                .body("errors[0].locations[0].line", equalTo(1))
                .body("errors[0].message", containsString("line 1"));
    }

    @Test
    void aBodyThatIsNotAGraphQLRequestIsABadRequest() {
        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + token).body("not json")
                .post("/graphql").then().statusCode(400).body("errors[0].extensions.code", equalTo("BAD_REQUEST"));
        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + token).body("{\"variables\":{}}")
                .post("/graphql").then().statusCode(400).body("errors[0].extensions.code", equalTo("BAD_REQUEST"));
    }

    @Test
    void unknownFieldsFailValidation() {
        GraphQL.post(token, "{ me { id password } }").then().statusCode(200)
                .body("data", nullValue())
                .body("errors[0].extensions.code", equalTo("GRAPHQL_VALIDATION_FAILED"))
                .body("errors[0].message", containsString("password"));
    }

    @Test
    void overDeepQueriesAreRefused() {
        String deep = "{ __schema { types { fields { type { fields { type { fields { type { fields { type { fields "
                + "{ type { name } } } } } } } } } } } } }";
        GraphQL.post(token, deep).then().statusCode(200)
                .body("data", nullValue())
                .body("errors[0].extensions.code", equalTo("QUERY_TOO_COMPLEX"))
                .body("errors[0].message", containsString("depth"));
    }

    @Test
    void overCostlyQueriesAreRefused() {
        // 500 aliases of a field that reads the database: 5,500, over the budget of 5,000 (see RequestLimitsTest).
        StringBuilder wide = new StringBuilder("{ ");
        for (int i = 0; i < 500; i++) {
            wide.append("m").append(i).append(": me { id } ");
        }
        GraphQL.post(token, wide.append("}").toString()).then().statusCode(200)
                .body("data", nullValue())
                .body("errors[0].extensions.code", equalTo("QUERY_TOO_COMPLEX"))
                .body("errors[0].extensions.cost", equalTo(5_500))
                .body("errors[0].message", containsString("costs 5500"));
    }

    @Test
    void documentsWithTooManyTokensAreNotParsed() {
        String huge = "{ me { " + "id ".repeat(6_000) + "} }";
        GraphQL.post(token, huge).then().statusCode(400)
                .body("errors[0].extensions.code", equalTo("GRAPHQL_PARSE_FAILED"))
                .body("errors[0].message", containsString("tokens"));
    }

    @Test
    void oversizedBodiesAreRefusedBeforeParsing() {
        String padding = "#".repeat(70 * 1024);
        GraphQL.post(token, padding + "\n{ me { id } }").then().statusCode(413);
    }

    @Test
    void errorsNeverLeakInternals() {
        GraphQL.post(token, "{ me { id password } }").then()
                .body(not(containsString("Exception")))
                .body(not(containsString("dev.appliancesync")));
    }
}
