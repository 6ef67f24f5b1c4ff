package dev.appliancesync.operations;

import static io.restassured.RestAssured.given;

import org.junit.jupiter.api.Test;

import dev.appliancesync.support.SwitchedOff;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

@QuarkusTest
@TestProfile(SwitchedOff.class)
class GraphiQLDisabledTest {

    @Test
    void graphiqlCanBeTurnedOffByConfiguration() {
        given().get("/q/graphql-ui/").then().statusCode(404);
    }
}
