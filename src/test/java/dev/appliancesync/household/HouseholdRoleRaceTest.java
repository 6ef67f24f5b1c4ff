package dev.appliancesync.household;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.appliancesync.support.Database;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.Households;
import dev.appliancesync.support.User;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * An admin re-inviting a member with a lesser role, or removing them, races the member's promotion to admin. The
 * promotion is made to commit while the admin's request waits for the household's lock: the request must decide on the
 * role the member has once it holds the lock (ADMIN, which only the owner may change), not on the one it could have
 * read before.
 */
@QuarkusTest
class HouseholdRoleRaceTest {

    private static final Duration BOUND = Duration.ofSeconds(20);

    @Inject
    Pool pool;
    @Inject
    Database database;

    @Test
    void aRoleChangeCommittedWhileTheRequestWaitsForTheLockIsTheOneDecidedOn() throws Exception {
        Race race = new Race();
        JsonPath answer = race.againstPromotion("mutation($h: ID!, $e: String!) { addHouseholdMember(householdId: $h, "
                + "email: $e, role: GUEST) { id } }", Map.of("h", race.household, "e", race.member.email()));
        assertThat(answer.getString("errors[0].extensions.code")).as("an admin demoting an admin")
                .isEqualTo("FORBIDDEN");
        assertThat(database.count("select count(*) from invitation where household_id = $1 and email = $2 "
                + "and accepted_at is null and cancelled_at is null", UUID.fromString(race.household),
                race.member.email())).as("no invitation to a lesser role").isZero();
    }

    @Test
    void aMemberPromotedWhileTheRemovalWaitsForTheLockIsNotRemovedByAnAdmin() throws Exception {
        Race race = new Race();
        JsonPath answer = race.againstPromotion("mutation($h: ID!, $u: ID!) { removeHouseholdMember(householdId: $h, "
                + "userId: $u) { id } }", Map.of("h", race.household, "u", race.member.id()));
        assertThat(answer.getString("errors[0].extensions.code")).as("an admin removing an admin")
                .isEqualTo("FORBIDDEN");
        assertThat(database.count("select count(*) from share where household_id = $1 and recipient_id = $2 "
                + "and revoked_at is null", UUID.fromString(race.household), UUID.fromString(race.member.id())))
                .as("still a member").isOne();
    }

    /** A household with an admin and a FAMILY member; the member is promoted to ADMIN while a request waits. */
    private final class Race {
        final User owner = User.signedIn("owner");
        final User admin = User.signedIn("admin");
        final User member = User.signedIn("member");
        final String household = GraphQL.post(owner.token(), "mutation { createHousehold(name: \"Home\") { id } }")
                .jsonPath().getString("data.createHousehold.id");

        Race() {
            Households.join(owner.token(), household, admin.email(), admin.token(), "ADMIN");
            Households.join(owner.token(), household, member.email(), member.token(), "FAMILY");
        }

        /**
         * Sends the admin's request while a transaction holds the household's row, waits until the request waits for
         * that lock, promotes the member and commits; the request's answer.
         */
        JsonPath againstPromotion(String mutation, Map<String, Object> variables) throws Exception {
            SqlConnection promoter = pool.getConnection().await().atMost(BOUND);
            // A thread of our own: it inherits the test's class loader, which the HTTP client needs.
            ExecutorService client = Executors.newSingleThreadExecutor();
            try {
                Transaction promotion = promoter.begin().await().atMost(BOUND);
                promoter.preparedQuery("select id from household where id = $1 for update")
                        .execute(Tuple.of(UUID.fromString(household))).await().atMost(BOUND);

                CompletableFuture<JsonPath> request = CompletableFuture.supplyAsync(
                        () -> GraphQL.post(admin.token(), mutation, variables).jsonPath(), client);
                // The admin's request is now waiting for the household row this transaction holds.
                await().atMost(BOUND).until(() -> request.isDone() || database.count(
                        "select count(*) from pg_stat_activity where wait_event_type = 'Lock' and query ilike $1",
                        "%from household h%for update%") == 1);
                assertThat(request).as("the request waits for the lock, not answered before it").isNotDone();
                promoter.preparedQuery("update share set role = 'ADMIN' where household_id = $1 and recipient_id = $2")
                        .execute(Tuple.of(UUID.fromString(household), UUID.fromString(member.id())))
                        .await().atMost(BOUND);
                promotion.commit().await().atMost(BOUND);
                return request.get(BOUND.toSeconds(), TimeUnit.SECONDS);
            } finally {
                client.shutdownNow();
                promoter.close().await().atMost(BOUND);
            }
        }
    }
}
