package dev.appliancesync.operations;

import static dev.appliancesync.operations.ManagementRequests.management;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.appliancesync.common.mqtt.BrokerConnectionCheck;
import dev.appliancesync.support.ConfiguredServers;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Runs where the service reaches its broker through a forwarder (a profile shared with the other tests that take the
 * broker away), because it takes that broker away: connections closed, new ones refused.
 */
@QuarkusTest
@TestProfile(ConfiguredServers.class)
class BrokerDownHealthTest {

    private static final String BROKER_CHECK = "checks.find { it.name == '" + BrokerConnectionCheck.NAME + "' }";

    @AfterEach
    void restore() {
        ConfiguredServers.toBroker().restore();
    }

    @Test
    void readinessGoesDownWhenTheBrokerStopsAndLivenessDoesNot() {
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> management().get("/q/health/ready")
                .then().statusCode(200).body("status", equalTo("UP")));

        ConfiguredServers.toBroker().cut();

        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> management().get("/q/health/ready")
                .then().statusCode(503)
                .body(BROKER_CHECK + ".status", equalTo("DOWN"))
                .body(BROKER_CHECK + ".data.connected", equalTo(false)));
        // A restart would not bring the broker back; the MQTT client reconnects by itself once it is there.
        management().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));

        ConfiguredServers.toBroker().restore();
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> management().get("/q/health/ready")
                .then().statusCode(200).body(BROKER_CHECK + ".status", equalTo("UP"))
                .body(BROKER_CHECK + ".data.connected", equalTo(true)));
    }
}
