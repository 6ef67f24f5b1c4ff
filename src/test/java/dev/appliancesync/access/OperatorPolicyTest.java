package dev.appliancesync.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.appliancesync.support.Database;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.PolicyFiles;
import dev.appliancesync.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * Operator policies dropped into the policy directory take effect while the service runs, without code changes or a
 * restart; removing them takes the effect away again; a directory that does not validate changes nothing.
 */
@QuarkusTest
class OperatorPolicyTest {

    private static final Path POLICY_DIR = PolicyFiles.DIR;
    private static final Duration WAIT = PolicyFiles.WAIT;
    private static final String SEND = "mutation($a: ID!, $c: DeviceCommand!) { sendCommand(applianceId: $a, command: $c) { id status } }";

    @Inject
    Database database;

    @Inject
    PolicyStore policyStore;

    private PolicyFiles files;
    private final String unique = UUID.randomUUID().toString().substring(0, 8);

    record Person(String id, String email, String token) {
    }

    @BeforeEach
    void policyFiles() {
        files = new PolicyFiles(policyStore);
    }

    @AfterEach
    void deletePolicyFiles() throws IOException {
        files.deleteAll(); // nothing of ours may stay in force for the next test
    }

    @Test
    void aForbidFromTheDirectoryTakesEffectAndEndsWhenItsFileIsDeleted() throws IOException {
        Person owner = person("owner", List.of());
        Person recipient = person("family", List.of());
        String applianceId = claim(owner, "COOKER");
        share(owner, applianceId, recipient, "FAMILY");
        assertSucceeds(send(recipient, applianceId, "START"), "FAMILY may START a COOKER before any operator policy");

        String policyId = "quiet-hours-" + unique;
        Path file = write("quiet-" + unique + ".cedar", """
                @id("%s")
                forbid (principal == User::"%s", action == Action::"START_STOP", resource is Appliance)
                when { context.hourUtc >= 0 };
                """.formatted(policyId, recipient.id()));

        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> assertThat(
                send(recipient, applianceId, "START").getString("errors[0].extensions.code")).isEqualTo("FORBIDDEN"));
        assertThat(database.count("select count(*) from audit_log where actor_id = $1 and decision = 'DENY' "
                + "and action = 'START_STOP' and $2 = any(policies)", UUID.fromString(recipient.id()), policyId))
                .as("the denial is audited with the operator policy that decided it").isPositive();
        // The forbid names one person: the owner still starts it.
        assertSucceeds(send(owner, applianceId, "START"), "the owner is not named by the forbid");

        Files.delete(file);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> assertSucceeds(
                send(recipient, applianceId, "START"), "START works again once the forbid's file is gone"));
    }

    @Test
    void aGroupPermitNamingOneApplianceLetsTheGroupViewAndMaintainOnlyThatAppliance() throws IOException {
        Person owner = person("owner", List.of());
        String applianceId = claim(owner, "GENERIC");
        String otherId = claim(owner, "GENERIC");
        String group = "technicians-" + unique;
        Person technician = person("tech", List.of(group));

        assertThat(view(technician, applianceId).getString("errors[0].extensions.code"))
                .as("before the policy the technician cannot see the appliance").isEqualTo("NOT_FOUND");

        write("technicians-" + unique + ".cedar", """
                @id("technicians-%1$s")
                permit (principal in Group::"%2$s", action in [Action::"VIEW_STATUS", Action::"MAINTAIN"],
                        resource == Appliance::"%3$s");
                """.formatted(unique, group, applianceId));

        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            JsonPath viewed = view(technician, applianceId);
            assertThat(viewed.getList("errors")).as(viewed.prettify()).isNull();
            assertThat(viewed.getString("data.appliance.id")).isEqualTo(applianceId);
        });
        JsonPath viewed = view(technician, applianceId);
        assertThat(viewed.getList("data.appliance.myCapabilities", String.class))
                .as(viewed.prettify()).containsExactlyInAnyOrder("VIEW_STATUS", "MAINTAIN");
        assertSucceeds(send(technician, applianceId, "CALIBRATE"), "the group may MAINTAIN the named appliance");
        assertThat(send(technician, applianceId, "START").getString("errors[0].extensions.code"))
                .as("START_STOP is not in the group's permit").isEqualTo("FORBIDDEN");

        assertThat(view(technician, otherId).getString("errors[0].extensions.code"))
                .as("another appliance of the same owner and type stays invisible").isEqualTo("NOT_FOUND");
        assertThat(send(technician, otherId, "CALIBRATE").getString("errors[0].extensions.code"))
                .as("and cannot be maintained").isEqualTo("NOT_FOUND");

        // Someone outside the group gets nothing from it.
        Person outsider = person("outsider", List.of());
        assertThat(view(outsider, applianceId).getString("errors[0].extensions.code")).isEqualTo("NOT_FOUND");
    }

    @Test
    void anInvalidFileIsRejectedAndThePreviousSetStaysInForce() throws IOException {
        Person owner = person("owner", List.of());
        Person recipient = person("family", List.of());
        String applianceId = claim(owner, "COOKER");
        share(owner, applianceId, recipient, "FAMILY");
        assertSucceeds(send(recipient, applianceId, "START"), "FAMILY may START a COOKER");
        long versionBefore = policyStore.current().version();

        // The invalid file first, so the directory never holds the valid one alone.
        String invalid = "a-colour-" + unique + ".cedar";
        write(invalid, """
                @id("red-things-%s")
                permit (principal, action == Action::"VIEW_STATUS", resource is Appliance)
                when { resource.colour == "red" };
                """.formatted(unique));
        String valid = "b-valid-" + unique + ".cedar";
        write(valid, """
                @id("would-forbid-%s")
                forbid (principal == User::"%s", action == Action::"START_STOP", resource is Appliance);
                """.formatted(unique, recipient.id()));

        await().atMost(WAIT).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(policyStore.lastError()).hasValueSatisfying(
                        error -> assertThat(error).contains("colour")));
        // Load the directory as it is now (both files) once more, synchronously: it must still be rejected.
        policyStore.reload();
        assertThat(policyStore.lastError()).as("the directory with both files is rejected").isPresent();
        assertThat(policyStore.current().version()).as("no new policy set").isEqualTo(versionBefore);
        assertThat(policyStore.current().sources()).doesNotContain(invalid, valid);
        assertSucceeds(send(recipient, applianceId, "START"),
                "the valid forbid next to the invalid file is not applied: the whole directory failed");

        Files.delete(POLICY_DIR.resolve(invalid));
        Files.delete(POLICY_DIR.resolve(valid));
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50))
                .untilAsserted(() -> assertThat(policyStore.lastError()).isEmpty());
        assertSucceeds(send(recipient, applianceId, "START"), "START still works after the files are gone");
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private Path write(String name, String text) {
        return files.write(name, text);
    }

    private static Person person(String prefix, List<String> groups) {
        String name = Tokens.uniqueUsername(prefix);
        String email = name + "@example.com";
        String token = Tokens.forUser(name, email, groups);
        String id = ok(token, "{ me { id } }", Map.of()).getString("data.me.id");
        return new Person(id, email, token);
    }

    private static String claim(Person owner, String type) {
        String operator = Tokens.forUser(Tokens.uniqueUsername("op"), Tokens.uniqueUsername("op") + "@example.com",
                List.of("admin"));
        String serial = "SN-" + UUID.randomUUID();
        String code = "code-" + UUID.randomUUID();
        ok(operator, "mutation($s: String!, $t: ApplianceType!, $c: String!) { provisionAppliance(serialNumber: $s, "
                + "type: $t, claimCode: $c) { id } }", Map.of("s", serial, "t", type, "c", code));
        return ok(owner.token(), "mutation($s: String!, $c: String!) { claimAppliance(serialNumber: $s, claimCode: $c) "
                + "{ id } }", Map.of("s", serial, "c", code)).getString("data.claimAppliance.id");
    }

    private static void share(Person owner, String applianceId, Person recipient, String role) {
        String shareId = ok(owner.token(), "mutation($a: ID!, $e: String!, $r: Role!) { shareAppliance(applianceId: $a, "
                + "recipientEmail: $e, role: $r) { share { id } } }",
                Map.of("a", applianceId, "e", recipient.email(), "r", role)).getString("data.shareAppliance.share.id");
        assertThat(shareId).isNotNull();
    }

    private static JsonPath send(Person person, String applianceId, String command) {
        return GraphQL.post(person.token(), SEND, Map.of("a", applianceId, "c", command))
                .then().statusCode(200).extract().jsonPath();
    }

    private static JsonPath view(Person person, String applianceId) {
        return GraphQL.post(person.token(), "query($a: ID!) { appliance(id: $a) { id myCapabilities } }",
                Map.of("a", applianceId)).then().statusCode(200).extract().jsonPath();
    }

    private static void assertSucceeds(JsonPath response, String why) {
        assertThat(response.getList("errors")).as(why + "\n" + response.prettify()).isNull();
        assertThat(response.getString("data.sendCommand.id")).as(why).isNotNull();
    }

    private static JsonPath ok(String token, String query, Map<String, Object> variables) {
        return GraphQL.ok(token, query, variables);
    }
}
