package dev.appliancesync.operations;

import static dev.appliancesync.operations.ManagementRequests.management;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.appliancesync.common.mqtt.BrokerConnectionCheck;
import dev.appliancesync.embedded.EmbeddedMqttBroker;
import dev.appliancesync.embedded.EmbeddedServices;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** Runs on an application instance of its own (own embedded broker), because it stops that broker. */
@QuarkusTest
@TestProfile(BrokerDownHealthTest.OwnBroker.class)
class BrokerDownHealthTest {

    /** No overrides: a profile of its own is what gives this test its own instance and embedded services. */
    public static class OwnBroker implements QuarkusTestProfile {
    }

    @Test
    void readinessGoesDownWhenTheBrokerStopsAndLivenessDoesNot() {
        management().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));

        EmbeddedServices.find(EmbeddedMqttBroker.class).orElseThrow().stop();

        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> management().get("/q/health/ready")
                .then().statusCode(503)
                .body("checks.find { it.name == '" + BrokerConnectionCheck.NAME + "' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == '" + BrokerConnectionCheck.NAME + "' }.data.connected",
                        equalTo(false)));
        // A restart would not bring the broker back; the MQTT client reconnects by itself once it is there.
        management().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }
}
