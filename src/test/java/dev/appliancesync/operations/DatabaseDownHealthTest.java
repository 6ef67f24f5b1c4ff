package dev.appliancesync.operations;

import static dev.appliancesync.operations.ManagementRequests.management;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.appliancesync.embedded.EmbeddedPostgresServer;
import dev.appliancesync.embedded.EmbeddedServices;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** Runs on an application instance of its own (own embedded PostgreSQL), because it stops that database. */
@QuarkusTest
@TestProfile(DatabaseDownHealthTest.OwnDatabase.class)
class DatabaseDownHealthTest {

    public static class OwnDatabase implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.datasource.reactive.idle-timeout", "PT1S");
        }
    }

    @Test
    void readinessGoesDownWhenTheDatabaseStops() {
        management().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));

        EmbeddedServices.find(EmbeddedPostgresServer.class).orElseThrow().stop();

        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> management().get("/q/health/ready")
                .then().statusCode(503)
                .body("status", equalTo("DOWN"))
                .body("checks.find { it.name == 'Reactive PostgreSQL connections health check' }.status",
                        equalTo("DOWN")));
        // Liveness stays up: restarting the service would not bring the database back.
        management().get("/q/health/live").then().statusCode(200);
    }
}
