package dev.appliancesync.operations;

import static dev.appliancesync.operations.ManagementRequests.management;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.appliancesync.support.ConfiguredServers;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Runs where the service reaches its PostgreSQL through a forwarder (a profile shared with the other tests that take
 * the database away), because it takes that database away: connections closed, new ones refused.
 */
@QuarkusTest
@TestProfile(ConfiguredServers.class)
class DatabaseDownHealthTest {

    private static final String POOL_CHECK =
            "checks.find { it.name == 'Reactive PostgreSQL connections health check' }";

    @AfterEach
    void restore() {
        ConfiguredServers.toDatabase().restore();
    }

    @Test
    void readinessGoesDownWhenTheDatabaseStopsAndUpWhenItIsBack() {
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> management().get("/q/health/ready")
                .then().statusCode(200).body("status", equalTo("UP")));

        ConfiguredServers.toDatabase().cut();

        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> management().get("/q/health/ready")
                .then().statusCode(503)
                .body("status", equalTo("DOWN"))
                .body(POOL_CHECK + ".status", equalTo("DOWN")));
        // Liveness stays up: restarting the service would not bring the database back.
        management().get("/q/health/live").then().statusCode(200);

        // Nor is a restart needed once it is back: the pool connects again by itself.
        ConfiguredServers.toDatabase().restore();
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> management().get("/q/health/ready")
                .then().statusCode(200).body(POOL_CHECK + ".status", equalTo("UP")));
    }
}
