package dev.appliancesync.sharing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.both;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.appliancesync.embedded.EmbeddedMqttBroker;
import dev.appliancesync.embedded.EmbeddedServices;
import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.Database;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.Households;
import dev.appliancesync.support.Tokens;
import dev.appliancesync.support.User;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;

/** The sharing flows end to end, through GraphQL, PostgreSQL and the MQTT broker. */
@QuarkusTest
class SharingFlowTest {

    private static final String CLAIM = """
            mutation($s: String!, $c: String!) { claimAppliance(serialNumber: $s, claimCode: $c) { id myRole } }""";
    private static final String VISIBLE = "{ appliances { id myRole myCapabilities } }";

    @Inject
    Database database;

    @Inject
    Vertx vertx;

    @Test
    void claimRefusalsDoNotTellSerialsApartAndRepeatedWrongCodesAreRateLimited() {
        User owner = User.signedIn("claimer");
        User guesser = User.signedIn("guesser");
        String[] appliance = Appliances.provision("MINI_OVEN");

        claim(guesser, "SN-does-not-exist", "whatever").body("errors[0].extensions.code", equalTo("FORBIDDEN"))
                .body("errors[0].extensions.reason", equalTo("CLAIM_REFUSED"));
        claim(guesser, appliance[0], "wrong-code").body("errors[0].extensions.code", equalTo("FORBIDDEN"))
                .body("errors[0].extensions.reason", equalTo("CLAIM_REFUSED"));
        claim(owner, appliance[0], appliance[1]).body("errors", nullValue())
                .body("data.claimAppliance.myRole", equalTo("OWNER"));
        // A retried claim by the owner succeeds again; only someone with the right code learns it is taken.
        claim(owner, appliance[0], appliance[1]).body("errors", nullValue());
        claim(guesser, appliance[0], appliance[1]).body("errors[0].extensions.code", equalTo("CONFLICT"))
                .body("errors[0].extensions.reason", equalTo("ALREADY_CLAIMED"));

        for (int attempt = 0; attempt < 3; attempt++) {
            claim(guesser, appliance[0], "wrong-" + attempt).body("errors[0].extensions.code", equalTo("FORBIDDEN"));
        }
        // Five wrong codes in the window: this account gets no code checked any more, not even the right one.
        claim(guesser, appliance[0], appliance[1]).body("errors[0].extensions.code", equalTo("RATE_LIMITED"))
                .body("errors[0].extensions.retryAfterSeconds", both(greaterThan(0)).and(lessThanOrEqualTo(900)));
        assertThat(database.count("select count(*) from appliance where serial_number = $1 and owner_id = $2::uuid",
                appliance[0], owner.id())).isEqualTo(1);
    }

    @Test
    void sharingWithSomeoneWithoutAnAccountBecomesTheirShareOnFirstSignIn() {
        User owner = User.signedIn("inviter");
        Appliances.Claimed oven = Appliances.claimed(owner.token(), "MINI_OVEN");
        String username = Tokens.uniqueUsername("newcomer");
        String email = username + "@example.com";

        String invitationId = GraphQL.post(owner.token(), """
                mutation($a: ID!, $e: String!) {
                  shareAppliance(applianceId: $a, recipientEmail: $e, role: GUEST) { share { id } invitation { id email role } } }""",
                Map.of("a", oven.id(), "e", email.toUpperCase()))
                .then().body("errors", nullValue())
                .body("data.shareAppliance.share", nullValue())
                .body("data.shareAppliance.invitation.email", equalTo(email))
                .extract().path("data.shareAppliance.invitation.id");
        GraphQL.post(owner.token(), "query($a: ID!) { appliance(id: $a) { invitations { id } } }", Map.of("a", oven.id()))
                .then().body("data.appliance.invitations[0].id", equalTo(invitationId));

        String newcomer = Tokens.forUser(username, email, List.of());
        GraphQL.post(newcomer, VISIBLE).then().body("errors", nullValue())
                .body("data.appliances.id", equalTo(List.of(oven.id())))
                .body("data.appliances[0].myRole", equalTo("GUEST"))
                .body("data.appliances[0].myCapabilities", equalTo(List.of("VIEW_STATUS")));
        assertThat(database.count("select count(*) from invitation where id = $1::uuid and accepted_at is not null",
                invitationId)).isEqualTo(1);
    }

    @Test
    void resharingUpdatesTheShareAndRevokingEndsAccessAtOnce() {
        User owner = User.signedIn("owner");
        User friend = User.signedIn("friend");
        Appliances.Claimed cooker = Appliances.claimed(owner.token(), "COOKER");

        String first = Appliances.share(owner.token(), cooker.id(), friend.email(), "FAMILY");
        String second = Appliances.share(owner.token(), cooker.id(), friend.email(), "FAMILY");
        assertThat(second).isEqualTo(first);
        GraphQL.post(friend.token(), VISIBLE).then()
                .body("data.appliances[0].myCapabilities", equalTo(List.of("VIEW_STATUS", "START_STOP")));
        // Narrowed to viewing only, on the same share.
        GraphQL.post(owner.token(), """
                mutation($a: ID!, $e: String!) { shareAppliance(applianceId: $a, recipientEmail: $e, role: FAMILY,
                  capabilities: [VIEW_STATUS]) { share { id capabilities } } }""",
                Map.of("a", cooker.id(), "e", friend.email()))
                .then().body("errors", nullValue()).body("data.shareAppliance.share.id", equalTo(first));
        GraphQL.post(friend.token(), VISIBLE).then()
                .body("data.appliances[0].myCapabilities", equalTo(List.of("VIEW_STATUS")));
        assertThat(database.count("select count(*) from share where appliance_id = $1::uuid", cooker.id())).isEqualTo(1);

        GraphQL.post(owner.token(), "mutation($s: ID!) { revokeShare(shareId: $s) { status revokeReason } }",
                Map.of("s", first)).then().body("errors", nullValue())
                .body("data.revokeShare.status", equalTo("REVOKED"));
        GraphQL.post(friend.token(), VISIBLE).then().body("data.appliances", equalTo(List.of()));
        GraphQL.post(friend.token(), "query($a: ID!) { appliance(id: $a) { id } }", Map.of("a", cooker.id()))
                .then().body("errors[0].extensions.code", equalTo("NOT_FOUND"));
        assertThat(database.count("select count(*) from change_log where user_id = $1::uuid and type = 'SHARE_REVOKED'",
                friend.id())).isEqualTo(1);
    }

    @Test
    void anApplianceHasAtMostFiftyRecipientsWhoseSharesStillChangeAndTheOwnerIsNoRecipient() {
        User owner = User.signedIn("popular");
        Appliances.Claimed kettle = Appliances.claimed(owner.token(), "GENERIC");
        List<User> recipients = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            User recipient = User.signedIn("fan");
            recipients.add(recipient);
            Appliances.share(owner.token(), kettle.id(), recipient.email(), "GUEST");
        }
        String share = """
                mutation($a: ID!, $e: String!, $r: Role!) { shareAppliance(applianceId: $a, recipientEmail: $e,
                  role: $r) { share { id role } } }""";

        GraphQL.post(owner.token(), share, Map.of("a", kettle.id(), "e", User.signedIn("fan").email(), "r", "GUEST"))
                .then().body("errors[0].extensions.code", equalTo("QUOTA_EXCEEDED"))
                .body("data.shareAppliance", nullValue());
        // One of the fifty, again: an update of their share, not a fifty-first.
        GraphQL.post(owner.token(), share, Map.of("a", kettle.id(), "e", recipients.get(7).email(), "r", "FAMILY"))
                .then().body("errors", nullValue()).body("data.shareAppliance.share.role", equalTo("FAMILY"));
        assertThat(database.count("select count(*) from share where appliance_id = $1::uuid and revoked_at is null",
                kettle.id())).isEqualTo(50);
        assertThat(database.count("select count(*) from change_log where user_id = $1::uuid and type = 'SHARE_UPDATED'",
                recipients.get(7).id())).isEqualTo(1);
    }

    @Test
    void householdMembersGetTheirRoleOnAppliancesAddedLaterAndThingNamesNeverChange() {
        User owner = User.signedIn("household-owner");
        User member = User.signedIn("member");
        String household = GraphQL.post(owner.token(), "mutation { createHousehold(name: \"Home\") { id thingPrefix } }")
                .then().body("errors", nullValue()).body("data.createHousehold.thingPrefix", matchesPattern("[a-z0-9]{8}"))
                .extract().path("data.createHousehold.id");
        Households.join(owner.token(), household, member.email(), member.token(), "FAMILY");

        Appliances.Claimed sense = Appliances.claimed(owner.token(), "SENSE");
        GraphQL.post(member.token(), VISIBLE).then().body("data.appliances", equalTo(List.of()));
        GraphQL.post(owner.token(), "mutation($a: ID!, $h: ID!) { assignApplianceToHousehold(applianceId: $a, "
                + "householdId: $h) { thingName household { id } } }", Map.of("a", sense.id(), "h", household))
                .then().body("errors", nullValue())
                .body("data.assignApplianceToHousehold.thingName", equalTo(sense.serialNumber()));
        GraphQL.post(member.token(), VISIBLE).then().body("data.appliances[0].id", equalTo(sense.id()))
                .body("data.appliances[0].myRole", equalTo("FAMILY"))
                .body("data.appliances[0].myCapabilities",
                        equalTo(List.of("VIEW_STATUS", "ADJUST_SETTINGS", "START_STOP", "MAINTAIN")));

        GraphQL.post(member.token(), "mutation($h: ID!, $u: ID!) { removeHouseholdMember(householdId: $h, userId: $u) "
                + "{ revokeReason } }", Map.of("h", household, "u", member.id()))
                .then().body("errors", nullValue()).body("data.removeHouseholdMember.revokeReason", equalTo("LEFT"));
        GraphQL.post(member.token(), VISIBLE).then().body("data.appliances", equalTo(List.of()));
    }

    @Test
    void transferEndsEveryShareAndHandsOverOwnership() {
        User owner = User.signedIn("seller");
        User buyer = User.signedIn("buyer");
        User guest = User.signedIn("guest");
        Appliances.Claimed oven = Appliances.claimed(owner.token(), "MINI_OVEN");
        Appliances.share(owner.token(), oven.id(), guest.email(), "GUEST");

        GraphQL.post(owner.token(), "mutation($a: ID!, $e: String!) { transferOwnership(applianceId: $a, newOwnerEmail: $e) }",
                Map.of("a", oven.id(), "e", buyer.email())).then().body("errors", nullValue());

        GraphQL.post(buyer.token(), VISIBLE).then().body("data.appliances[0].myRole", equalTo("OWNER"));
        GraphQL.post(owner.token(), VISIBLE).then().body("data.appliances", equalTo(List.of()));
        GraphQL.post(guest.token(), VISIBLE).then().body("data.appliances", equalTo(List.of()));
        assertThat(database.count("select count(*) from share where appliance_id = $1::uuid and revoke_reason = 'TRANSFERRED'",
                oven.id())).isEqualTo(1);
    }

    @Test
    void aStalePreferencesVersionGetsConflictWithTheCurrentVersion() {
        User owner = User.signedIn("prefs");
        Appliances.Claimed fridge = Appliances.claimed(owner.token(), "FRIDGE");
        String update = """
                mutation($a: ID!, $s: JSON!, $v: Int) { updatePreferences(applianceId: $a, settings: $s, expectedVersion: $v)
                  { version settings } }""";

        GraphQL.post(owner.token(), update, Map.of("a", fridge.id(), "s", "{\"units\":\"C\"}", "v", 0))
                .then().body("errors", nullValue()).body("data.updatePreferences.version", equalTo(1));
        GraphQL.post(owner.token(), update, Map.of("a", fridge.id(), "s", "{\"units\":\"F\"}", "v", 1))
                .then().body("data.updatePreferences.version", equalTo(2));
        // The phone that still holds version 1 loses, and learns the current version.
        GraphQL.post(owner.token(), update, Map.of("a", fridge.id(), "s", "{\"units\":\"K\"}", "v", 1))
                .then().body("errors[0].extensions.code", equalTo("CONFLICT"))
                .body("errors[0].extensions.currentVersion", equalTo(2));
        GraphQL.post(owner.token(), "{ myPreferences { applianceId settings version } }").then()
                .body("data.myPreferences[0].settings", equalTo("{\"units\":\"F\"}"))
                .body("data.myPreferences[0].version", equalTo(2));
        GraphQL.post(owner.token(), update, Map.of("a", fridge.id(), "s", "[1,2]", "v", 2))
                .then().body("errors[0].extensions.code", equalTo("GRAPHQL_VALIDATION_FAILED"));
    }

    @Test
    void aCommandIsPublishedToTheDeviceAndItsResultUpdatesTheStatus() throws Exception {
        User owner = User.signedIn("cook");
        User guest = User.signedIn("watcher");
        Appliances.Claimed oven = Appliances.claimed(owner.token(), "MINI_OVEN");
        Appliances.share(owner.token(), oven.id(), guest.email(), "GUEST");
        String thingName = oven.serialNumber();

        EmbeddedMqttBroker broker = EmbeddedServices.find(EmbeddedMqttBroker.class).orElseThrow();
        MqttClient device = MqttClient.create(vertx, new MqttClientOptions().setClientId("device-" + UUID.randomUUID()));
        LinkedBlockingQueue<JsonObject> received = new LinkedBlockingQueue<>();
        device.publishHandler(message -> received.add(message.payload().toJsonObject()));
        device.connect(broker.port(), broker.host()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        try {
            device.subscribe("appliances/" + thingName + "/commands", 1).toCompletionStage().toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);

            // A guest may not adjust settings: denied, and nothing reaches the device.
            GraphQL.post(guest.token(), "mutation($a: ID!) { sendCommand(applianceId: $a, command: SET_TEMPERATURE) { id } }",
                    Map.of("a", oven.id())).then().body("errors[0].extensions.code", equalTo("FORBIDDEN"));

            String commandId = GraphQL.post(owner.token(), """
                    mutation($a: ID!) { sendCommand(applianceId: $a, command: SET_TEMPERATURE, params: "{\\"celsius\\":180}")
                      { id status } }""", Map.of("a", oven.id()))
                    .then().body("errors", nullValue()).body("data.sendCommand.status", equalTo("SENT"))
                    .extract().path("data.sendCommand.id");
            JsonObject message = received.poll(10, TimeUnit.SECONDS);
            assertThat(message).isNotNull();
            assertThat(message.getString("commandId")).isEqualTo(commandId);
            assertThat(message.getJsonObject("params").getInteger("celsius")).isEqualTo(180);
            assertThat(received).isEmpty(); // the guest's denied command was never published

            device.publish("appliances/" + thingName + "/command-results",
                    Buffer.buffer(new JsonObject().put("commandId", commandId).put("status", "SUCCEEDED").encode()),
                    MqttQoS.AT_LEAST_ONCE, false, false);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> GraphQL.post(owner.token(),
                    "query($c: ID!) { command(id: $c) { status } }", Map.of("c", commandId))
                    .then().body("data.command.status", equalTo("SUCCEEDED")));

            // A result for someone else's thing is not applied; it is dead-lettered with the reason.
            long before = database.count("select count(*) from dead_letter where reason = 'UNKNOWN_COMMAND'");
            device.publish("appliances/not-" + thingName + "/command-results",
                    Buffer.buffer(new JsonObject().put("commandId", commandId).put("status", "FAILED").encode()),
                    MqttQoS.AT_LEAST_ONCE, false, false);
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    database.count("select count(*) from dead_letter where reason = 'UNKNOWN_COMMAND'") > before);
            GraphQL.post(owner.token(), "query($c: ID!) { command(id: $c) { status } }", Map.of("c", commandId))
                    .then().body("data.command.status", equalTo("SUCCEEDED"));
        } finally {
            device.disconnect();
        }
    }

    private static ValidatableResponse claim(User user, String serial, String code) {
        return GraphQL.post(user.token(), CLAIM, Map.of("s", serial, "c", code)).then().statusCode(200);
    }
}
