package dev.appliancesync.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.Database;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.User;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Queries take no row locks and write no audit rows: a guest's reads, however many, neither wait for nor hold up the
 * owner's changes, and cannot fill the audit log. Changes still lock and audit.
 */
@QuarkusTest
class ReadsAreReadsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    /** Far below the time a read that waited for the held lock would take: it waits until the test lets go. */
    private static final Duration READ_BOUND = Duration.ofSeconds(5);
    private static final String SEND = """
            mutation($id: ID!) { sendCommand(applianceId: $id, command: START) { id } }""";
    private static final String RENAME = """
            mutation($id: ID!, $n: String!) { renameAppliance(applianceId: $id, name: $n) { name } }""";

    @Inject
    Database database;

    @Inject
    Pool pool;

    private record Setup(User owner, User guest, String applianceId, String commandId) {
    }

    private Setup setup() {
        User owner = User.signedIn("reads-owner");
        User guest = User.signedIn("reads-guest");
        Appliances.Claimed oven = Appliances.claimed(owner.token(), "GENERIC");
        Appliances.share(owner.token(), oven.id(), guest.email(), "GUEST");
        String commandId = GraphQL.post(owner.token(), SEND, Map.of("id", oven.id())).then().statusCode(200)
                .body("errors", nullValue()).extract().path("data.sendCommand.id");
        return new Setup(owner, guest, oven.id(), commandId);
    }

    private static String aliased(int aliases) {
        return "query($c: ID!) { " + IntStream.range(0, aliases)
                .mapToObj(i -> "a" + i + ": command(id: $c) { id status }").collect(Collectors.joining(" ")) + " }";
    }

    private long auditRows(String applianceId) {
        return database.count("select count(*) from audit_log where appliance_id = $1", UUID.fromString(applianceId));
    }

    @Test
    void readsWriteNoAuditRowsAndChangesStillDo() {
        Setup s = setup();
        User stranger = User.signedIn("reads-stranger");
        long before = auditRows(s.applianceId());

        JsonPath allowed = GraphQL.post(s.guest().token(), aliased(100), Map.of("c", s.commandId()))
                .then().statusCode(200).extract().jsonPath();
        assertThat(allowed.getList("errors")).isNull();
        assertThat(allowed.getString("data.a99.id")).isEqualTo(s.commandId());
        JsonPath denied = GraphQL.post(stranger.token(), aliased(20), Map.of("c", s.commandId()))
                .then().statusCode(200).extract().jsonPath();
        assertThat(denied.getString("errors[0].extensions.code")).isEqualTo("NOT_FOUND");

        assertThat(auditRows(s.applianceId())).as("120 reads, allowed or denied, audit nothing").isEqualTo(before);

        GraphQL.post(s.owner().token(), RENAME, Map.of("id", s.applianceId(), "n", "Oven"))
                .then().statusCode(200).body("errors", nullValue());
        assertThat(database.count("select count(*) from audit_log where appliance_id = $1 and action = 'RENAME'",
                UUID.fromString(s.applianceId()))).as("a change is still audited").isOne();
    }

    @Test
    void aReadAnswersWhileAChangeHoldsTheAppliance() throws Exception {
        Setup s = setup();
        // Threads made here inherit the test's class loader (the common pool's do not, and REST Assured needs it).
        try (ExecutorService clients = Executors.newSingleThreadExecutor()) {
            readWhileLocked(s, clients);
        }
    }

    private void readWhileLocked(Setup s, ExecutorService clients) throws Exception {
        // What a rename in progress holds: the appliance's row, locked until its transaction ends.
        SqlConnection connection = pool.getConnection().await().atMost(TIMEOUT);
        Transaction tx = connection.begin().await().atMost(TIMEOUT);
        CompletableFuture<JsonPath> read;
        try {
            connection.preparedQuery("select id from appliance where id = $1 for update")
                    .execute(Tuple.of(UUID.fromString(s.applianceId()))).await().atMost(TIMEOUT);
            read = CompletableFuture.supplyAsync(() -> GraphQL.post(s.guest().token(), aliased(50),
                    Map.of("c", s.commandId())).then().statusCode(200).extract().jsonPath(), clients);
            JsonPath answered = read.get(READ_BOUND.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(answered.getList("errors")).isNull();
            assertThat(answered.getString("data.a49.status")).isNotBlank();
        } finally {
            tx.rollback().await().atMost(TIMEOUT);
            connection.close().await().atMost(TIMEOUT);
        }
        // The change that held the row goes on once it lets go, and the next one is not held up by reads.
        GraphQL.post(s.owner().token(), RENAME, Map.of("id", s.applianceId(), "n", "Renamed")).then().statusCode(200)
                .body("errors", nullValue()).body("data.renameAppliance.name", org.hamcrest.Matchers.equalTo("Renamed"));
    }
}
