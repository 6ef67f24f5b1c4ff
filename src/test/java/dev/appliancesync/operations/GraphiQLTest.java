package dev.appliancesync.operations;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** GraphiQL is part of every build, production included (see DevTokenAbsentInProductionTest), unless turned off. */
@QuarkusTest
class GraphiQLTest {

    @Test
    void graphiqlIsServed() {
        given().get("/q/graphql-ui/").then().statusCode(200).body(containsString("GraphiQL"));
    }
}
