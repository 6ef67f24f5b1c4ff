package dev.appliancesync.operations;

import static io.restassured.RestAssured.given;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

@QuarkusTest
@TestProfile(GraphiQLDisabledTest.UiOff.class)
class GraphiQLDisabledTest {

    public static class UiOff implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.smallrye-graphql.ui.enabled", "false");
        }
    }

    @Test
    void graphiqlCanBeTurnedOffByConfiguration() {
        given().get("/q/graphql-ui/").then().statusCode(404);
    }
}
