package dev.appliancesync.common.graphql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.appliancesync.common.metrics.ServiceMetrics;
import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.Database;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.GraphQLWebSocket;
import dev.appliancesync.support.SmallLimits;
import dev.appliancesync.support.User;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.vertx.core.json.JsonObject;

/**
 * Every request pays for what it does before it runs: a document over the cost budget is refused without running, and
 * each user spends their rate limit by the cost of their requests, over HTTP and WebSocket alike, without slowing
 * anyone else.
 */
@QuarkusTest
@TestProfile(SmallLimits.class)
class RequestLimitsTest {

    private static final String RENAME = """
            mutation($id: ID!, $n: String!) { renameAppliance(applianceId: $id, name: $n) { name } }""";

    @TestHTTPResource("/graphql")
    URI graphql;

    @Inject
    CostedDocuments documents;

    @Inject
    Database database;

    @Inject
    MeterRegistry metrics;

    /** {@code me { id }} under {@code aliases} aliases: a root field (10) and a field (1) each. */
    private static String aliasedMe(int aliases) {
        return "{ " + IntStream.range(0, aliases).mapToObj(i -> "m" + i + ": me { id }")
                .collect(Collectors.joining(" ")) + " }";
    }

    private long cost(String document, Map<String, Object> variables) {
        return documents.cost(document, null, variables).value();
    }

    @Test
    void theFieldsThatReadTheDatabaseAreTheRootsAndTheSourceResolvers() {
        Set<String> resolvers = documents.costs().resolvers();
        assertThat(resolvers).contains("Query.me", "Query.appliances", "Query.command", "Mutation.renameAppliance",
                "Subscription.changes");
        // Every @Source method of the code base, and nothing read from an object already fetched.
        assertThat(resolvers.stream().filter(field -> !field.matches("(Query|Mutation|Subscription)\\..*")))
                .containsExactlyInAnyOrder("Appliance.shares", "Appliance.invitations", "Appliance.myPreferences",
                        "Appliance.presence", "Appliance.iotTopics", "Household.members", "Household.invitations",
                        "Share.cloudSync", "FleetConnection.totalCount", "FleetConnection.counts",
                        "FleetGroup.members", "FleetGroup.memberCount");
    }

    @Test
    void everyPagedFieldIsChargedThePagesItsFeatureServes() {
        // A paged field no feature describes would be charged the largest page of any, whatever it serves.
        assertThat(documents.costs().describedPagedFields()).isEqualTo(documents.costs().pagedFields())
                .contains("Query.changes", "Query.alarms", "Query.fleet", "FleetGroup.members");
    }

    @Test
    void aliasesListsAndPagesPayForWhatTheyDo() {
        assertThat(cost("{ me { id email } }", Map.of())).isEqualTo(FieldCosts.RESOLVER + 2 * FieldCosts.FIELD);
        assertThat(cost(aliasedMe(100), Map.of())).isEqualTo(100 * cost(aliasedMe(1), Map.of()));
        // A list's items are assumed; a resolver under it is paid for each of them.
        assertThat(cost("{ appliances { id shares { id } } }", Map.of())).isEqualTo(FieldCosts.RESOLVER
                + FieldCosts.ASSUMED_LIST_SIZE * (FieldCosts.FIELD + FieldCosts.RESOLVER
                        + FieldCosts.ASSUMED_LIST_SIZE * FieldCosts.FIELD));
        // A page has the size it asks for, literally or in a variable; one the resolver refuses costs its largest.
        // Here: changes (10), its list (1) of n items of two fields, and the page's cursor (1).
        String page = "query($n: Int) { changes(limit: $n) { changes { cursor type } cursor } }";
        assertThat(cost("{ changes(limit: 200) { changes { cursor type } cursor } }", Map.of()))
                .isEqualTo(FieldCosts.RESOLVER + 1 + 200 * 2 + 1);
        assertThat(cost(page, Map.of("n", 200))).isEqualTo(FieldCosts.RESOLVER + 1 + 200 * 2 + 1);
        assertThat(cost(page, Map.of("n", 3))).isEqualTo(FieldCosts.RESOLVER + 1 + 3 * 2 + 1);
        assertThat(cost(page, Map.of("n", 100_000))).isEqualTo(FieldCosts.RESOLVER + 1 + 500 * 2 + 1);
        assertThat(cost("{ changes { changes { cursor } } }", Map.of())).as("the schema's default page, 100")
                .isEqualTo(FieldCosts.RESOLVER + 1 + 100);
        // Each paged field is charged its own pages: fleet search serves 20 when first is omitted and 100 at most,
        // where the change log's 500 was charged for both. Here: fleet (10), its list (1) of items of two fields, and
        // totalCount (a resolver, 10).
        String fleet = "{ fleet(query: {types: [FRIDGE]}%s) { appliances { id thingName } totalCount } }";
        assertThat(cost(fleet.formatted(""), Map.of())).as("fleet's default page, 20")
                .isEqualTo(FieldCosts.RESOLVER + 1 + 20 * 2 + FieldCosts.RESOLVER);
        assertThat(cost(fleet.formatted(", first: 5"), Map.of())).isEqualTo(FieldCosts.RESOLVER + 1 + 5 * 2
                + FieldCosts.RESOLVER);
        assertThat(cost(fleet.formatted(", first: 1000"), Map.of())).as("refused: fleet's largest page, 100")
                .isEqualTo(FieldCosts.RESOLVER + 1 + 100 * 2 + FieldCosts.RESOLVER);
        assertThat(cost(page, Map.of())).as("a variable left out: the schema's default page, 100")
                .isEqualTo(FieldCosts.RESOLVER + 1 + 100 * 2 + 1);
        // A fragment spread twice is paid twice.
        assertThat(cost("{ a: me { ...F } b: me { ...F } } fragment F on User { id email }", Map.of()))
                .isEqualTo(2 * cost("{ me { id email } }", Map.of()));
    }

    @Test
    void aUserOverTheRateIsToldWhenToComeBackWhileOthersAreServedAtOnce() {
        User greedy = User.signedIn("greedy");
        User other = User.signedIn("other");
        // The largest page of catch-up: costly (2,013) yet quick to run for a new user, who has no changes to read,
        // so the bucket does not refill much while it runs.
        String heavy = "{ changes(limit: 500) { changes { cursor type at data } cursor hasMore } }";
        assertThat(cost(heavy, Map.of())).isEqualTo(2_013);

        served(GraphQL.post(greedy.token(), heavy));
        // About 1,000 left, 200 more a second: the next 2,013 would need 5 s of waiting.
        Response refused = GraphQL.post(greedy.token(), heavy);
        JsonPath answer = refused.then().statusCode(200).extract().jsonPath();
        assertThat(answer.getString("errors[0].extensions.code")).isEqualTo("RATE_LIMITED");
        int retryAfter = answer.getInt("errors[0].extensions.retryAfter");
        assertThat(retryAfter).isBetween(1, 11);
        assertThat(refused.header("Retry-After")).isEqualTo(Integer.toString(retryAfter));
        assertThat(answer.getMap("data")).isNull();
        assertThat(limited("rate")).isPositive();

        // Charged by cost: one alias still fits what is left; another user has a bucket of their own.
        served(GraphQL.post(greedy.token(), aliasedMe(1)));
        served(GraphQL.post(other.token(), heavy));

        // Once the bucket has refilled, the heavy request is served again.
        await().atMost(Duration.ofSeconds(retryAfter + 10)).pollInterval(Duration.ofMillis(500))
                .until(() -> GraphQL.post(greedy.token(), heavy).then().statusCode(200).extract().jsonPath()
                        .getString("data.changes.cursor") != null);
    }

    @Test
    void aDocumentOverTheBudgetIsRefusedBeforeAnythingOfItRuns() {
        User owner = User.signedIn("over-budget");
        Appliances.Claimed oven = Appliances.claimed(owner.token(), "GENERIC");
        // 250 renames: 2,750, over the budget of 2,500. Had any run, the name and the audit log would show it.
        String renames = "mutation($id: ID!) { " + IntStream.range(0, 250)
                .mapToObj(i -> "r" + i + ": renameAppliance(applianceId: $id, name: \"Renamed " + i + "\") { name }")
                .collect(Collectors.joining(" ")) + " }";

        JsonPath answer = GraphQL.post(owner.token(), renames, Map.of("id", oven.id())).then().statusCode(200)
                .extract().jsonPath();
        assertThat(answer.getString("errors[0].extensions.code")).isEqualTo("QUERY_TOO_COMPLEX");
        assertThat(answer.getLong("errors[0].extensions.cost")).isEqualTo(2_750);
        assertThat(answer.getLong("errors[0].extensions.maxCost")).isEqualTo(2_500);
        assertThat(answer.getString("errors[0].message")).contains("2750", "2500");
        assertThat(answer.getMap("data")).isNull();

        assertThat(GraphQL.post(owner.token(), "query($id: ID!) { appliance(id: $id) { name } }",
                Map.of("id", oven.id())).then().statusCode(200).extract().jsonPath()
                .getString("data.appliance.name")).isEqualTo("Kitchen");
        assertThat(database.count("select count(*) from audit_log where appliance_id = $1 and action = 'RENAME'",
                UUID.fromString(oven.id()))).isZero();
        // Nothing was charged either: a rename that fits goes through.
        served(GraphQL.post(owner.token(), RENAME, Map.of("id", oven.id(), "n", "Oven")));
    }

    @Test
    void aSubscriptionOverTheRateIsRefusedOnItsOwnAndTheConnectionServesOthers() throws Exception {
        User greedy = User.signedIn("greedy-live");
        User other = User.signedIn("other-live");
        // A subscription of 1,400 aliased fields costs 1,410: two fit in the burst of 3,000, a third not for seconds.
        String wide = "subscription { heartbeat(everySeconds: 60) { " + IntStream.range(0, 1_400)
                .mapToObj(i -> "s" + i + ": sequence").collect(Collectors.joining(" ")) + " } }";
        assertThat(cost(wide, Map.of())).isEqualTo(1_410);
        try (GraphQLWebSocket greedyWs = GraphQLWebSocket.connected(graphql, greedy.token());
                GraphQLWebSocket otherWs = GraphQLWebSocket.connected(graphql, other.token())) {
            for (String id : List.of("w1", "w2", "w3")) {
                greedyWs.subscribe(id, wide);
            }
            assertThat(greedyWs.nextData("w1").getJsonObject("heartbeat").getInteger("s1399")).isEqualTo(1);
            assertThat(greedyWs.nextData("w2").getJsonObject("heartbeat").getInteger("s1399")).isEqualTo(1);
            JsonObject error = greedyWs.nextMessage("w3");
            assertThat(error.getString("type")).isEqualTo("error");
            JsonObject extensions = error.getJsonArray("payload").getJsonObject(0).getJsonObject("extensions");
            assertThat(extensions.getString("code")).isEqualTo("RATE_LIMITED");
            assertThat(extensions.getLong("retryAfter")).isPositive();

            // One bucket, whichever way the user comes: HTTP is refused as well.
            assertThat(GraphQL.post(greedy.token(), aliasedMe(200)).then().statusCode(200).extract().jsonPath()
                    .getString("errors[0].extensions.code")).isEqualTo("RATE_LIMITED");
            // The connection stays open and serves what fits; the other user is not held up.
            greedyWs.subscribe("small", "subscription { heartbeat(everySeconds: 60) { sequence } }");
            assertThat(greedyWs.nextData("small").getJsonObject("heartbeat").getInteger("sequence")).isEqualTo(1);
            otherWs.subscribe("wide", wide);
            assertThat(otherWs.nextData("wide").getJsonObject("heartbeat").getInteger("s1399")).isEqualTo(1);
        }
    }

    @Test
    void whileAGuestFloodsHundredAliasReadsAtTheLimitTheOwnersRenameGoesThrough() throws Exception {
        User owner = User.signedIn("flooded-owner");
        User guest = User.signedIn("flooding-guest");
        Appliances.Claimed oven = Appliances.claimed(owner.token(), "GENERIC");
        Appliances.share(owner.token(), oven.id(), guest.email(), "GUEST");
        String commandId = GraphQL.post(owner.token(), """
                mutation($id: ID!) { sendCommand(applianceId: $id, command: START) { id } }""", Map.of("id", oven.id()))
                .then().statusCode(200).extract().path("data.sendCommand.id");
        // What made a rename wait 5 s before: 100-alias reads (1,200 each here), as many as a guest can send.
        String flood = "query($c: ID!) { " + IntStream.range(0, 100)
                .mapToObj(i -> "a" + i + ": command(id: $c) { id status }").collect(Collectors.joining(" ")) + " }";
        assertThat(cost(flood, Map.of("c", commandId))).isEqualTo(1_200);

        AtomicBoolean flooding = new AtomicBoolean(true);
        AtomicInteger served = new AtomicInteger();
        AtomicInteger limited = new AtomicInteger();
        long began = System.nanoTime();
        ExecutorService guests = Executors.newFixedThreadPool(4);
        ExecutorService owners = Executors.newSingleThreadExecutor();
        try {
            for (int i = 0; i < 4; i++) {
                guests.submit(() -> {
                    while (flooding.get()) {
                        String code = GraphQL.post(guest.token(), flood, Map.of("c", commandId)).then().statusCode(200)
                                .extract().path("errors[0].extensions.code");
                        (code == null ? served : limited).incrementAndGet();
                    }
                });
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> limited.get() > 0);
            // Bounded, not timed: it fails only if the rename is held up for many seconds.
            CompletableFuture<String> rename = CompletableFuture.supplyAsync(() -> GraphQL.post(owner.token(), RENAME,
                    Map.of("id", oven.id(), "n", "Still mine")).then().statusCode(200).extract()
                    .path("data.renameAppliance.name"), owners);
            assertThat(rename.get(15, TimeUnit.SECONDS)).isEqualTo("Still mine");
        } finally {
            flooding.set(false);
            guests.shutdown();
            owners.shutdown();
            assertThat(guests.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        // The guest got no more than the limit gives: the burst, and the refill over the time they flooded.
        double seconds = (System.nanoTime() - began) / 1e9;
        assertThat(served.get() * 1_200.0).isLessThanOrEqualTo(3_000 + 200 * seconds);
        assertThat(limited.get()).isPositive();
    }

    private static void served(Response response) {
        JsonPath answer = response.then().statusCode(200).extract().jsonPath();
        assertThat(answer.getList("errors")).as("errors of %s", answer.prettify()).isNull();
    }

    private double limited(String limit) {
        var counter = metrics.find(ServiceMetrics.GRAPHQL_REQUESTS_LIMITED).tag("limit", limit).counter();
        return counter == null ? 0 : counter.count();
    }
}
