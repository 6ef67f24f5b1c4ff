package dev.appliancesync.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.appliancesync.access.PolicyStore;
import dev.appliancesync.support.Database;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.PolicyFiles;
import dev.appliancesync.support.User;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.core.json.JsonObject;

/**
 * Fleet search through the GraphQL API on real PostgreSQL: each filter kind alone and combined, pages, totals and
 * counts, who may search (Cedar, per type), and the typed errors of bad queries. Every search is scoped to a household
 * of the test's own, so rows other tests leave behind never match.
 */
@QuarkusTest
class FleetSearchTest {

    private static final String SEARCH = """
            query($q: FleetQuery!, $first: Int, $after: String) {
              fleet(query: $q, first: $first, after: $after) {
                appliances { id serialNumber type firmwareVersion householdId online lastSeenAt }
                endCursor hasMore
              }
            }""";

    @Inject
    FleetFixture fixture;

    @Inject
    Database database;

    @Inject
    PolicyStore policyStore;

    @Inject
    MeterRegistry registry;

    private PolicyFiles files;
    private final OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    private User operator;
    private UUID household;
    private UUID fridgeEcoOpen;     // FRIDGE 1.9, online, seen an hour ago, door open, ECO, 4 degrees
    private UUID fridgeQuiet;       // FRIDGE 1.10, offline, seen 3 days ago, QUIET, 7 degrees
    private UUID fridgeNeverSeen;   // FRIDGE 2.0.1, never seen, TURBO, desired ECO
    private UUID ovenOnline;        // MINI_OVEN 1.10.2, online, seen now, no DoorOpened
    private UUID ovenBare;          // MINI_OVEN without firmware, presence or shadow

    @BeforeEach
    void fleet() {
        files = new PolicyFiles(policyStore);
        operator = User.signedIn("fleet-op", List.of("admin"));
        household = fixture.household();
        fridgeEcoOpen = fixture.appliance(household, "FRIDGE", "1.9");
        fixture.shadow(fridgeEcoOpen, "", new JsonObject().put("DoorOpened", true).put("RunningMode", "ECO")
                .put("Temperature", new JsonObject().put("fridge", 4)), new JsonObject());
        fixture.presence(fridgeEcoOpen, true, now.minusHours(1));
        fridgeQuiet = fixture.appliance(household, "FRIDGE", "1.10");
        fixture.shadow(fridgeQuiet, "", new JsonObject().put("DoorOpened", false).put("RunningMode", "QUIET")
                .put("Temperature", new JsonObject().put("fridge", 7.5)), new JsonObject());
        fixture.presence(fridgeQuiet, false, now.minusDays(3));
        fridgeNeverSeen = fixture.appliance(household, "FRIDGE", "2.0.1");
        fixture.shadow(fridgeNeverSeen, "", new JsonObject().put("DoorOpened", false).put("RunningMode", "TURBO"),
                new JsonObject().put("RunningMode", "ECO"));
        ovenOnline = fixture.appliance(household, "MINI_OVEN", "1.10.2");
        fixture.shadow(ovenOnline, "$telemetry", new JsonObject().put("Temp", 180), new JsonObject());
        fixture.presence(ovenOnline, true, now);
        ovenBare = fixture.appliance(household, "MINI_OVEN", null);
    }

    @AfterEach
    void deletePolicyFiles() throws IOException {
        files.deleteAll();
    }

    @Test
    void eachFilterKindFindsExactlyItsAppliances() {
        assertThat(find(Map.of("types", List.of("MINI_OVEN")))).containsExactlyInAnyOrder(ovenOnline, ovenBare);
        // Semantic: as text, "1.10" < "1.9"; as versions 1.10 comes after 1.9.
        assertThat(find(Map.of("firmware", Map.of("gt", "1.9"))))
                .containsExactlyInAnyOrder(fridgeQuiet, fridgeNeverSeen, ovenOnline);
        assertThat(find(Map.of("firmware", Map.of("lt", "1.10")))).containsExactly(fridgeEcoOpen);
        assertThat(find(Map.of("firmware", Map.of("gte", "1.10", "lt", "2")))).containsExactlyInAnyOrder(fridgeQuiet,
                ovenOnline);
        assertThat(find(Map.of("firmware", Map.of("eq", "2.0.1")))).containsExactly(fridgeNeverSeen);
        assertThat(find(Map.of("firmware", Map.of("ne", "1.9"))))
                .as("no firmware version: no comparison holds").containsExactlyInAnyOrder(fridgeQuiet,
                        fridgeNeverSeen, ovenOnline);
        assertThat(find(Map.of("online", true))).containsExactlyInAnyOrder(fridgeEcoOpen, ovenOnline);
        assertThat(find(Map.of("online", false))).containsExactlyInAnyOrder(fridgeQuiet, fridgeNeverSeen, ovenBare);
        assertThat(find(Map.of("lastSeenBefore", now.minusDays(1).toString()))).containsExactly(fridgeQuiet);
        assertThat(find(Map.of("lastSeenAfter", now.minusHours(2).toString())))
                .containsExactlyInAnyOrder(fridgeEcoOpen, ovenOnline);
        assertThat(find(attribute(Map.of("path", "reported.DoorOpened", "equals", Map.of("flag", true)))))
                .containsExactly(fridgeEcoOpen);
        assertThat(find(attribute(Map.of("path", "reported.RunningMode",
                "in", List.of(Map.of("text", "ECO"), Map.of("text", "QUIET"))))))
                .containsExactlyInAnyOrder(fridgeEcoOpen, fridgeQuiet);
        assertThat(find(attribute(Map.of("path", "reported.Temperature.fridge", "gte", 5))))
                .containsExactly(fridgeQuiet);
        assertThat(find(attribute(Map.of("path", "reported.Temperature.fridge", "gt", 3, "lt", 5))))
                .containsExactly(fridgeEcoOpen);
        assertThat(find(attribute(Map.of("path", "reported.Temp", "equals", Map.of("number", 180)))))
                .containsExactly(ovenOnline);
        assertThat(find(attribute(Map.of("path", "reported.Temp", "shadow", "", "equals", Map.of("number", 180)))))
                .as("the oven reports on its $telemetry shadow, not the classic one").isEmpty();
        assertThat(find(attribute(Map.of("path", "desired.RunningMode", "equals", Map.of("text", "ECO")))))
                .containsExactly(fridgeNeverSeen);
        assertThat(find(attribute(Map.of("path", "reported.DoorOpened", "exists", false))))
                .containsExactlyInAnyOrder(ovenOnline, ovenBare);
        assertThat(find(attribute(Map.of("path", "reported.DoorOpened", "exists", true))))
                .containsExactlyInAnyOrder(fridgeEcoOpen, fridgeQuiet, fridgeNeverSeen);
    }

    @Test
    void filtersCombineWithAndOrNot() {
        Map<String, Object> doorOpen = attribute(Map.of("path", "reported.DoorOpened", "equals", Map.of("flag", true)));
        assertThat(find(Map.of("or", List.of(Map.of("types", List.of("MINI_OVEN")), doorOpen))))
                .containsExactlyInAnyOrder(ovenOnline, ovenBare, fridgeEcoOpen);
        assertThat(find(Map.of("not", Map.of("online", true))))
                .containsExactlyInAnyOrder(fridgeQuiet, fridgeNeverSeen, ovenBare);
        assertThat(find(Map.of("not", Map.of("lastSeenBefore", now.minusDays(1).toString()))))
                .as("never seen is not 'last seen before'").containsExactlyInAnyOrder(fridgeEcoOpen, fridgeNeverSeen,
                        ovenOnline, ovenBare);
        assertThat(find(Map.of("types", List.of("FRIDGE"), "and", List.of(Map.of("firmware", Map.of("gte", "1.10")),
                Map.of("not", Map.of("online", true))))))
                .containsExactlyInAnyOrder(fridgeQuiet, fridgeNeverSeen);
        assertThat(find(Map.of("online", true, "attributes", List.of(Map.of("path", "reported.RunningMode",
                "in", List.of(Map.of("text", "ECO"), Map.of("text", "QUIET")))))))
                .containsExactly(fridgeEcoOpen);
    }

    @Test
    void pagesCoverEveryMatchOnceInAStableOrder() {
        List<UUID> all = new ArrayList<>(List.of(fridgeEcoOpen, fridgeQuiet, fridgeNeverSeen, ovenOnline, ovenBare));
        for (int i = 0; i < 6; i++) {
            all.add(fixture.appliance(household, "GENERIC", "3." + i));
        }
        List<UUID> seen = new ArrayList<>();
        String after = null;
        int pages = 0;
        boolean more = true;
        while (more) {
            Map<String, Object> variables = new HashMap<>(Map.of("q", Map.of("householdId", household.toString()),
                    "first", 4));
            if (after != null) {
                variables.put("after", after);
            }
            JsonPath page = ok(operator, SEARCH, variables);
            List<String> ids = page.getList("data.fleet.appliances.id", String.class);
            assertThat(ids).hasSizeLessThanOrEqualTo(4);
            ids.forEach(id -> seen.add(UUID.fromString(id)));
            more = page.getBoolean("data.fleet.hasMore");
            after = page.getString("data.fleet.endCursor");
            pages++;
            assertThat(pages).as("pages end").isLessThanOrEqualTo(3);
        }
        assertThat(pages).isEqualTo(3);
        assertThat(seen).as("no duplicates, none skipped").doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(all);
        assertThat(seen).as("in id order (PostgreSQL orders uuids byte by byte, as their text)").isSortedAccordingTo(java.util.Comparator.comparing(UUID::toString));
    }

    @Test
    void countsAndTotalCoverEveryMatchNotJustThePage() {
        JsonPath counted = ok(operator, """
                query($q: FleetQuery!) {
                  fleet(query: $q, first: 1) {
                    totalCount
                    byType: counts(by: {field: TYPE}) { value count }
                    byFirmware: counts(by: {field: FIRMWARE_VERSION}) { value count }
                    byOnline: counts(by: {field: ONLINE}) { value count }
                    byMode: counts(by: {attribute: "reported.RunningMode"}) { value count }
                  }
                }""", Map.of("q", Map.of("householdId", household.toString())));
        assertThat(counted.getInt("data.fleet.totalCount")).isEqualTo(5);
        assertThat(buckets(counted, "byType")).isEqualTo(Map.of("FRIDGE", 3, "MINI_OVEN", 2));
        Map<String, Integer> firmware = new HashMap<>(Map.of("1.9", 1, "1.10", 1, "2.0.1", 1, "1.10.2", 1));
        firmware.put(null, 1);
        assertThat(buckets(counted, "byFirmware")).isEqualTo(firmware);
        assertThat(buckets(counted, "byOnline")).isEqualTo(Map.of("true", 2, "false", 3));
        Map<String, Integer> modes = new HashMap<>(Map.of("ECO", 1, "QUIET", 1, "TURBO", 1));
        modes.put(null, 2);
        assertThat(buckets(counted, "byMode")).isEqualTo(modes);

        JsonPath fridges = ok(operator, """
                query($q: FleetQuery!) { fleet(query: $q) { totalCount counts(by: {field: FIRMWARE_VERSION}) { value count } } }""",
                Map.of("q", Map.of("householdId", household.toString(), "types", List.of("FRIDGE"))));
        assertThat(fridges.getInt("data.fleet.totalCount")).isEqualTo(3);
        assertThat(buckets(fridges, "counts")).isEqualTo(Map.of("1.9", 1, "1.10", 1, "2.0.1", 1));
    }

    @Test
    void someoneOutsideEveryOperatorGroupIsRefusedAndOnlyOperatorsSearchesAreAudited() {
        User owner = User.signedIn("fleet-nobody");
        double deniedBefore = readDenials();
        JsonPath refused = post(owner, SEARCH, Map.of("q", Map.of("householdId", household.toString())));
        assertThat(refused.getString("errors[0].extensions.code")).as(refused.prettify()).isEqualTo("FORBIDDEN");
        assertThat(refused.getString("errors[0].extensions.action")).isEqualTo("SEARCH_FLEET");
        assertThat(refused.getString("data")).as("no appliances").isNull();
        assertThat(readDenials()).as("the refusal is counted as a read denial").isEqualTo(deniedBefore + 1);
        assertThat(database.count("select count(*) from audit_log where actor_id = $1",
                UUID.fromString(owner.id()))).as("a refused read writes nothing: asking cannot fill the audit log")
                .isZero();

        find(Map.of("types", List.of("FRIDGE")));
        assertThat(database.count("select count(*) from audit_log where actor_id = $1 and action = 'SEARCH_FLEET' "
                + "and decision = 'ALLOW' and 'operators-search-fleet' = any(policies) and resource = 'fleet/appliances'",
                UUID.fromString(operator.id())))
                .as("an operator's search is audited with the policy that allowed it").isEqualTo(1);
    }

    private double readDenials() {
        Counter counter = registry.find("appliance_sync.access.read_denials").tags("kind", "fleet", "code", "FORBIDDEN")
                .counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aPolicyNarrowingAGroupToOneTypeIsHonouredInResultsAndCounts() {
        String unique = UUID.randomUUID().toString().substring(0, 8);
        String group = "fridge-ops-" + unique;
        User fridgeOperator = User.signedIn("fridge-op", List.of(group));
        assertThat(post(fridgeOperator, SEARCH, Map.of("q", Map.of())).getString("errors[0].extensions.code"))
                .as("before the policy").isEqualTo("FORBIDDEN");

        files.writeInForce("fridge-ops-" + unique + ".cedar", """
                @id("fridge-ops-%s")
                permit (principal in Group::"%s", action == Action::"SEARCH_FLEET", resource is Appliance)
                when { resource.type == "FRIDGE" };
                """.formatted(unique, group));

        assertThat(find(fridgeOperator, Map.of("householdId", household.toString())))
                .containsExactlyInAnyOrder(fridgeEcoOpen, fridgeQuiet, fridgeNeverSeen);
        assertThat(find(fridgeOperator, Map.of("householdId", household.toString(), "types", List.of("MINI_OVEN"))))
                .as("asking for ovens does not widen the policy").isEmpty();
        assertThat(find(fridgeOperator, Map.of("householdId", household.toString(),
                "or", List.of(Map.of("types", List.of("MINI_OVEN")), Map.of("online", true)))))
                .as("nor does an or").containsExactly(fridgeEcoOpen);
        JsonPath counted = ok(fridgeOperator, """
                query($q: FleetQuery!) { fleet(query: $q) { totalCount counts(by: {field: TYPE}) { value count } } }""",
                Map.of("q", Map.of("householdId", household.toString())));
        assertThat(counted.getInt("data.fleet.totalCount")).isEqualTo(3);
        assertThat(buckets(counted, "counts")).isEqualTo(Map.of("FRIDGE", 3));
        // The operators' default policy is untouched: admin still sees every type.
        assertThat(find(Map.of("types", List.of("MINI_OVEN")))).containsExactlyInAnyOrder(ovenOnline, ovenBare);
    }

    @Test
    void badQueriesGetTypedErrorsAndNothingReachesSqlAsText() {
        String injection = "DoorOpened') or true; drop table appliance; --";
        assertBadQuery(attribute(Map.of("path", "reported." + injection, "equals", Map.of("flag", true))));
        assertBadQuery(attribute(Map.of("path", "reported.DoorOpened\" = true or \"a", "exists", true)));
        assertBadQuery(attribute(Map.of("path", "owner_id.x", "exists", true)));
        assertBadQuery(attribute(Map.of("path", "reported", "exists", true)));
        assertBadQuery(attribute(Map.of("path", "reported.DoorOpened")));
        assertBadQuery(attribute(Map.of("path", "reported.DoorOpened", "equals", Map.of("flag", true, "text", "x"))));
        assertBadQuery(attribute(Map.of("path", "reported.DoorOpened", "equals", Map.of())));
        assertBadQuery(attribute(Map.of("path", "reported.DoorOpened", "exists", false, "equals", Map.of("flag", true))));
        assertBadQuery(Map.of("firmware", Map.of("gt", "1.x")));
        assertBadQuery(Map.of("firmware", Map.of("gt", "1.9; select 1")));
        assertBadQuery(Map.of("firmware", Map.of()));
        assertBadQuery(Map.of("householdId", "not-a-household"));
        assertBadQuery(Map.of("or", List.of()));
        assertThat(database.count("select count(*) from appliance where id = $1", fridgeEcoOpen)).isEqualTo(1);

        // A value is bound, never text of the statement: a quote in it simply matches nothing.
        assertThat(find(attribute(Map.of("path", "reported.RunningMode",
                "equals", Map.of("text", "ECO' or '1'='1"))))).isEmpty();

        assertCode(post(operator, SEARCH, Map.of("q", Map.of(), "first", 101)), "VALIDATION");
        assertCode(post(operator, SEARCH, Map.of("q", Map.of(), "first", 0)), "VALIDATION");
        assertCode(post(operator, SEARCH, Map.of("q", Map.of(), "after", "not-a-cursor")), "VALIDATION");

        Map<String, Object> deep = Map.of("online", true);
        for (int i = 0; i < 4; i++) {
            deep = Map.of("not", deep);
        }
        assertCode(post(operator, SEARCH, Map.of("q", deep)), "QUERY_TOO_COMPLEX");
        List<Map<String, Object>> many = new ArrayList<>();
        for (int i = 0; i < 51; i++) {
            many.add(Map.of("text", "mode-" + i));
        }
        JsonPath tooMany = post(operator, SEARCH, Map.of("q", attribute(Map.of("path", "reported.RunningMode", "in", many))));
        assertCode(tooMany, "QUERY_TOO_COMPLEX");
        assertThat(tooMany.getString("errors[0].extensions.limit")).isEqualTo("maxInValues");
        List<Map<String, Object>> filters = new ArrayList<>();
        for (int i = 0; i < 33; i++) {
            filters.add(Map.of("online", true));
        }
        assertCode(post(operator, SEARCH, Map.of("q", Map.of("and", filters))), "QUERY_TOO_COMPLEX");

        JsonPath badCounts = post(operator, """
                query { fleet(query: {}) { counts(by: {field: TYPE, attribute: "reported.RunningMode"}) { value } } }""",
                Map.of());
        assertCode(badCounts, "VALIDATION");
        assertCode(post(operator, """
                query { fleet(query: {}) { counts(by: {attribute: "reported.x-y"}) { value } } }""", Map.of()),
                "VALIDATION");
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private List<UUID> find(Map<String, Object> query) {
        return find(operator, query);
    }

    /** The ids the caller finds with {@code query} in this test's household (one page of up to 100). */
    private List<UUID> find(User caller, Map<String, Object> query) {
        Map<String, Object> scoped = new LinkedHashMap<>(query);
        scoped.putIfAbsent("householdId", household.toString());
        JsonPath found = ok(caller, SEARCH, Map.of("q", scoped, "first", 100));
        assertThat(found.getBoolean("data.fleet.hasMore")).isFalse();
        return found.getList("data.fleet.appliances.id", String.class).stream().map(UUID::fromString).toList();
    }

    private static Map<String, Object> attribute(Map<String, Object> filter) {
        return Map.of("attributes", List.of(filter));
    }

    private void assertBadQuery(Map<String, Object> query) {
        Map<String, Object> scoped = new LinkedHashMap<>(query);
        scoped.putIfAbsent("householdId", household.toString());
        JsonPath response = post(operator, SEARCH, Map.of("q", scoped));
        assertCode(response, "VALIDATION");
        assertThat(response.getString("errors[0].extensions.reason")).as(response.prettify()).isEqualTo("BAD_QUERY");
    }

    private static void assertCode(JsonPath response, String code) {
        assertThat(response.getString("errors[0].extensions.code")).as(response.prettify()).isEqualTo(code);
    }

    private static Map<String, Integer> buckets(JsonPath response, String field) {
        Map<String, Integer> buckets = new HashMap<>();
        List<Map<String, Object>> counts = response.getList("data.fleet." + field);
        for (Map<String, Object> count : counts) {
            buckets.put((String) count.get("value"), (Integer) count.get("count"));
        }
        return buckets;
    }

    private static JsonPath post(User caller, String query, Map<String, Object> variables) {
        return GraphQL.answered(caller.token(), query, variables);
    }

    private static JsonPath ok(User caller, String query, Map<String, Object> variables) {
        return GraphQL.ok(caller.token(), query, variables);
    }
}
