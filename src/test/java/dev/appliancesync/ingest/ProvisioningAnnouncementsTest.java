package dev.appliancesync.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.Database;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.MqttDevice;
import dev.appliancesync.support.PolicyBoundDevice;
import dev.appliancesync.support.User;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import io.vertx.core.json.JsonObject;

/**
 * Devices speak only for themselves: what the device policy cannot refuse (a serial number in the payload, a second
 * registration) the service refuses, each with a dead letter, while the real device's announcement and claim work.
 * Each message carries a unique firmware version (not part of a registration) so its dead letter can be found.
 */
@QuarkusTest
class ProvisioningAnnouncementsTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    Database database;

    @Test
    void aRogueDeviceCannotRegisterAFutureSerialAndTheRealDeviceThenCan() throws Exception {
        String future = serial();
        String realCode = code();
        String rogueCode = code();
        try (PolicyBoundDevice rogue = PolicyBoundDevice.connect("rogue-" + UUID.randomUUID());
                PolicyBoundDevice real = PolicyBoundDevice.connect(future)) {
            // On its own topic the policy lets it through; the service refuses another thing's serial.
            String attempt = marker();
            rogue.announce(future, "COOKER", rogueCode, attempt);
            await().atMost(WAIT).until(() -> reasons(attempt).equals(List.of("NOT_ITS_SERIAL")));
            // On the real device's topics it can do nothing at all: IoT Core refuses it under the device policy (no
            // announcement, no FACTORY_RESET event, no reading its commands).
            for (String topic : List.of("provisioned", "events", "state", "command-results")) {
                assertThatThrownBy(() -> rogue.publish("appliances/" + future + "/" + topic, "{}"))
                        .isInstanceOf(PolicyBoundDevice.PolicyDenied.class);
            }
            assertThatThrownBy(() -> rogue.subscribe("appliances/" + future + "/commands", payload -> {
            })).isInstanceOf(PolicyBoundDevice.PolicyDenied.class);
            assertThat(database.count("select count(*) from appliance where serial_number = $1", future)).isZero();

            real.announce(future, "COOKER", realCode, marker());
            await().atMost(WAIT).until(() -> database.count("select count(*) from appliance where serial_number = $1 "
                    + "and thing_name = $1", future) == 1);
        }
        User attacker = User.signedIn("attacker");
        claim(attacker, future, rogueCode).body("errors[0].extensions.reason", equalTo("CLAIM_REFUSED"));
        User buyer = User.signedIn("buyer");
        claim(buyer, future, realCode).body("errors", nullValue()).body("data.claimAppliance.myRole", equalTo("OWNER"));
    }

    @Test
    void aClaimedAppliancesRegistrationIsNeverReplacedAndItsDeviceStillAnnouncesItself() throws Exception {
        String thing = serial();
        String code = code();
        User owner = User.signedIn("owner");
        try (PolicyBoundDevice device = PolicyBoundDevice.connect(thing);
                MqttDevice unbound = MqttDevice.connectToEmbeddedBroker()) {
            device.announce(thing, "FRIDGE", code, marker());
            await().atMost(WAIT).until(() -> database.count("select count(*) from appliance where serial_number = $1",
                    thing) == 1);
            claim(owner, thing, code).body("errors", nullValue());
            String hash = database.strings("select claim_code_hash from appliance where serial_number = $1", thing).get(0);

            // A client outside the policy (a broker without IoT Core's, or the device's own key stolen) re-announces
            // the claimed appliance with its own claim code: refused, and the claim code hash stays.
            String rogueCode = code();
            String rogue = marker();
            unbound.publish("appliances/" + thing + "/provisioned", new JsonObject().put("serialNumber", thing)
                    .put("type", "FRIDGE").put("firmwareVersion", rogue)
                    .put("claimCodeHash", PolicyBoundDevice.claimCodeHash(rogueCode)).encode());
            // The device itself announces again after a reboot: the same registration, nothing happens.
            String reboot = marker();
            device.announce(thing, "FRIDGE", code, reboot);
            // Behind them, a refused one of the device's own, so both above have been applied when it is dead-lettered.
            String last = marker();
            device.announce(thing, "COOKER", code, last);
            await().atMost(WAIT).until(() -> reasons(last).equals(List.of("ALREADY_CLAIMED")));
            assertThat(reasons(rogue)).containsExactly("ALREADY_CLAIMED");
            assertThat(reasons(reboot)).isEmpty();
            assertThat(database.strings("select claim_code_hash || ' ' || appliance_type from appliance "
                    + "where serial_number = $1", thing)).containsExactly(hash + " FRIDGE");
        }
        GraphQL.post(owner.token(), "{ appliances { serialNumber myRole } }").then()
                .body("data.appliances.find { it.serialNumber == '" + thing + "' }.myRole", equalTo("OWNER"));
        claim(User.signedIn("attacker"), thing, code).body("errors[0].extensions.reason", equalTo("ALREADY_CLAIMED"));
    }

    @Test
    void anUnclaimedRegistrationIsNotReplacedEitherAndAnOperatorsThingNameIsRespected() throws Exception {
        String thing = serial();
        String code = code();
        try (PolicyBoundDevice device = PolicyBoundDevice.connect(thing)) {
            device.announce(thing, "SENSE", code, marker());
            String otherCode = marker();
            device.announce(thing, "SENSE", code(), otherCode);
            await().atMost(WAIT).until(() -> reasons(otherCode).equals(List.of("REGISTRATION_CONFLICT")));
        }

        // An operator registered serial S as thing "oven-..."; that thing announces S, which is its own serial.
        String serial = serial();
        String operatorThing = "oven-" + UUID.randomUUID().toString().substring(0, 8);
        String operatorCode = code();
        GraphQL.post(Appliances.operatorToken(), """
                mutation($s: String!, $c: String!, $t: String!) {
                  provisionAppliance(serialNumber: $s, type: MINI_OVEN, claimCode: $c, thingName: $t) { thingName } }""",
                Map.of("s", serial, "c", operatorCode, "t", operatorThing))
                .then().body("errors", nullValue()).body("data.provisionAppliance.thingName", equalTo(operatorThing));
        try (PolicyBoundDevice oven = PolicyBoundDevice.connect(operatorThing);
                PolicyBoundDevice other = PolicyBoundDevice.connect(serial)) {
            String own = marker();
            oven.announce(serial, "MINI_OVEN", operatorCode, own);
            String notOwn = marker();
            other.announce(serial, "MINI_OVEN", operatorCode, notOwn); // the thing named like the serial is not the oven
            await().atMost(WAIT).until(() -> reasons(notOwn).equals(List.of("NOT_ITS_SERIAL")));
            assertThat(reasons(own)).isEmpty();
        }
        assertThat(database.strings("select thing_name from appliance where serial_number = $1", serial))
                .containsExactly(operatorThing);
        User buyer = User.signedIn("buyer");
        claim(buyer, thing, code).body("errors", nullValue());
        claim(buyer, serial, operatorCode).body("errors", nullValue());
    }

    private static ValidatableResponse claim(User user, String serial, String code) {
        return GraphQL.post(user.token(), """
                mutation($s: String!, $c: String!) { claimAppliance(serialNumber: $s, claimCode: $c) { id myRole } }""",
                Map.of("s", serial, "c", code)).then().statusCode(200);
    }

    private List<String> reasons(String marker) {
        return database.strings("select reason from dead_letter where position($1::bytea in payload) > 0",
                marker.getBytes(StandardCharsets.UTF_8));
    }

    private static String serial() {
        return "SN-" + UUID.randomUUID().toString().substring(0, 13);
    }

    private static String code() {
        return "code-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String marker() {
        return "fw-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
