package dev.appliancesync.identity;

import static io.restassured.RestAssured.given;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/** A production build has no token minting at all: the endpoint is not built in. */
@QuarkusTest
@TestProfile(DevTokenAbsentInProductionTest.Production.class)
class DevTokenAbsentInProductionTest {

    public static class Production implements QuarkusTestProfile {
        @Override
        public String getConfigProfile() {
            return "prod";
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            // Production configures a real database, broker, Cognito pool and AWS account; here the embedded ones and
            // the local cloud gateway stand in, and the fresh embedded database is migrated at start, as production's
            // migration job would have done before the service starts.
            // The local gateway's tables come from the dev and test migration location, which prod does not read.
            return Map.of("appliance-sync.embedded.enabled", "true", "appliance-sync.cloud.mode", "local",
                    "quarkus.flyway.migrate-at-start", "true",
                    "quarkus.flyway.locations", "db/migration,db/dev-migration");
        }
    }

    @Test
    void devTokenAnswers404() {
        given().contentType(ContentType.JSON).body(Map.of("username", "alice"))
                .when().post("/dev/token")
                .then().statusCode(404);
    }

    @Test
    void graphiqlIsPartOfTheProductionBuild() {
        given().get("/q/graphql-ui/").then().statusCode(200);
    }

    @Test
    void graphqlStillServes() {
        given().contentType(ContentType.JSON).body(Map.of("query", "{ me { id } }"))
                .when().post("/graphql")
                .then().statusCode(200);
    }
}
