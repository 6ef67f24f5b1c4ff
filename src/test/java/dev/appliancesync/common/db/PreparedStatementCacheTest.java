package dev.appliancesync.common.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.appliancesync.command.CommandRepository;
import dev.appliancesync.household.HouseholdAccess;
import dev.appliancesync.household.HouseholdRepository;
import dev.appliancesync.sharing.ShareRepository;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.User;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The service's connections keep their statements prepared (quarkus.datasource.reactive.cache-prepared-statements),
 * and those statements survive what a rolling deploy does to the schema under them: the next release's migration adds
 * a column while this release's connections hold statements prepared against the old table. PostgreSQL re-plans a
 * kept statement after such a change, but refuses one whose result would change shape ("cached plan must not change
 * result type"), which is why repositories name their columns instead of selecting {@code *}.
 */
@QuarkusTest
class PreparedStatementCacheTest {

    private static final Duration BOUND = Duration.ofSeconds(10);

    @Inject
    Pool pool;
    @Inject
    HouseholdRepository households;
    @Inject
    CommandRepository commands;
    @Inject
    ShareRepository shares;

    @Test
    void aConnectionKeepsAStatementPreparedAfterItsFirstUse() {
        SqlConnection connection = pool.getConnection().await().atMost(BOUND);
        try {
            commands.find(connection, UUID.randomUUID()).await().atMost(BOUND);
            commands.find(connection, UUID.randomUUID()).await().atMost(BOUND);

            long kept = connection.query("select count(*) from pg_prepared_statements where statement like "
                            + "'select c.id, c.appliance_id%from command c where id = $1'")
                    .execute().await().atMost(BOUND).iterator().next().getLong(0);
            assertThat(kept).as("the command lookup, kept prepared on its connection after two uses").isOne();
        } finally {
            connection.close().await().atMost(BOUND);
        }
    }

    @Test
    void keptStatementsStillRunAfterAMigrationAddsAColumn() {
        User owner = User.signedIn("rolling");
        UUID household = UUID.fromString(GraphQL.post(owner.token(), "mutation { createHousehold(name: \"Home\") { id } }")
                .then().statusCode(200).body("errors", nullValue()).extract().path("data.createHousehold.id"));
        UUID ownerId = UUID.fromString(owner.id());
        SqlConnection connection = pool.getConnection().await().atMost(BOUND);
        try {
            String star = "select * from household where id = $1";
            connection.preparedQuery(star).execute(Tuple.of(household)).await().atMost(BOUND);
            Optional<HouseholdAccess> before = households.find(connection, ownerId, household, false)
                    .await().atMost(BOUND);
            commands.find(connection, UUID.randomUUID()).await().atMost(BOUND);
            shares.findInvitation(connection, UUID.randomUUID()).await().atMost(BOUND);

            addColumnToEachTable("add column rolling_deploy_probe text");
            try {
                // What a repository must not do: its kept statement now fails on every connection that holds it.
                assertThatThrownBy(() -> connection.preparedQuery(star).execute(Tuple.of(household))
                        .await().atMost(BOUND))
                        .hasMessageContaining("cached plan must not change result type");

                assertThat(households.find(connection, ownerId, household, false).await().atMost(BOUND))
                        .as("the household, read by the statement prepared before the column was added")
                        .isEqualTo(before).isPresent();
                assertThat(commands.find(connection, UUID.randomUUID()).await().atMost(BOUND)).isEmpty();
                assertThat(shares.findInvitation(connection, UUID.randomUUID()).await().atMost(BOUND)).isEmpty();
            } finally {
                addColumnToEachTable("drop column rolling_deploy_probe");
            }
        } finally {
            connection.close().await().atMost(BOUND);
        }
    }

    /** What the next release's migration would do, from another connection, to each table read above. */
    private void addColumnToEachTable(String change) {
        for (String table : new String[] { "household", "command", "invitation" }) {
            pool.query("alter table " + table + " " + change).execute().await().atMost(BOUND);
        }
    }
}
