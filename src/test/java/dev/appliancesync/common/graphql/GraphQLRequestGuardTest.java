package dev.appliancesync.common.graphql;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** The HTTP request guard: remembers digests of documents, not documents, and sends subscriptions to WebSocket. */
@QuarkusTest
class GraphQLRequestGuardTest {

    @Inject
    GraphQLRequestGuard guard;

    private static final String ALIAS = "p" + UUID.randomUUID().toString().replace("-", "") + "x".repeat(60_000);

    /** A valid document of about 60 KB in a handful of tokens: one long alias, unique to this test run. */
    private static String largeDocument() {
        return "{ " + ALIAS + ": __typename }";
    }

    @Test
    void largeAnonymousDocumentsAreRememberedByAFixedSizeDigest() {
        String document = largeDocument();
        for (int i = 0; i < 2; i++) {
            given().contentType(ContentType.JSON).body(Map.of("query", document)).post("/graphql")
                    .then().statusCode(200);
        }
        assertThat(guard.remembers(document)).as("a document that passed is remembered").isTrue();
        assertThat(guard.rememberedKeys()).isNotEmpty().allSatisfy(key -> {
            assertThat(key).isInstanceOf(DocumentDigest.class);
            // Four longs, whatever the document's size: nothing that could hold or point to its text.
            assertThat(Arrays.stream(key.getClass().getRecordComponents()).map(RecordComponent::getType))
                    .containsExactly(long.class, long.class, long.class, long.class);
        });
        // What it did before still holds: a remembered document is served, a broken one refused with its code.
        String token = Tokens.forUser(Tokens.uniqueUsername("large-document"));
        assertThat(GraphQL.post(token, document).then().statusCode(200).extract().jsonPath().getString("data." + ALIAS))
                .isEqualTo("Query");
        given().contentType(ContentType.JSON).body(Map.of("query", document.replace("__typename }", "__typename")))
                .post("/graphql").then().statusCode(400).body("errors[0].extensions.code", equalTo("GRAPHQL_PARSE_FAILED"));
    }

    @Test
    void aSubscriptionOverHttpIsABadRequestNamingTheWebSocketEndpoint() {
        String token = Tokens.forUser(Tokens.uniqueUsername("http-subscriber"));
        for (int i = 0; i < 2; i++) {
            GraphQL.post(token, "subscription { heartbeat(everySeconds: 1) { sequence } }").then().statusCode(400)
                    .body("data", nullValue())
                    .body("errors[0].extensions.code", equalTo("BAD_REQUEST"))
                    .body("errors[0].message", containsString("WebSocket at /graphql"))
                    .body("errors[0].message", containsString("graphql-transport-ws"));
        }
        // In a document with a query as well, the operation chosen decides.
        String both = "query Now { __typename } subscription Beats { heartbeat { sequence } }";
        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + token)
                .body(Map.of("query", both, "operationName", "Now")).post("/graphql")
                .then().statusCode(200).body("data.__typename", equalTo("Query"));
        given().contentType(ContentType.JSON).header("Authorization", "Bearer " + token)
                .body(Map.of("query", both, "operationName", "Beats")).post("/graphql")
                .then().statusCode(400).body("errors[0].extensions.code", equalTo("BAD_REQUEST"));
    }

    @Test
    void aPostWithoutAContentTypeOrABodyIsABadRequest() {
        given().post("/graphql").then().statusCode(400)
                .body("errors[0].extensions.code", equalTo("BAD_REQUEST"));
    }
}
