package dev.appliancesync.cloud;

import static dev.appliancesync.support.MigrationDatabase.rows;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;

import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.appliancesync.support.MigrationDatabase;

/**
 * V10 on a database that has linked identities: the service cannot vouch for any of them, so each is retired (the
 * reconciler detaches the user's policies from it) and no user keeps one; users without one are left alone.
 */
class VendedIdentitiesMigrationTest {

    private static final String LINKED = "eu-west-1:11111111-1111-4111-8111-111111111111";
    private static final String LINKED_WITHOUT_STATE = "eu-west-1:22222222-2222-4222-8222-222222222222";

    private static MigrationDatabase database;

    @BeforeAll
    static void start() {
        database = MigrationDatabase.start();
    }

    @AfterAll
    static void stop() {
        database.close();
    }

    @Test
    void linkedIdentitiesAreRetiredAndNoUserKeepsOne() throws SQLException {
        // Everything before V10 (whatever other parts number below it), then the data V10 finds.
        MigrationVersion beforeV10 = Arrays.stream(database.flyway().load().info().all())
                .map(MigrationInfo::getVersion)
                .filter(v -> v.compareTo(MigrationVersion.fromVersion("10")) < 0).max(MigrationVersion::compareTo)
                .orElseThrow();
        database.flyway().target(beforeV10).load().migrate();
        try (Connection db = database.connect(); Statement sql = db.createStatement()) {
            sql.execute("""
                    insert into app_user (id, subject, cognito_identity_id) values
                      ('00000000-0000-4000-8000-00000000000a', 'alice', '%s'),
                      ('00000000-0000-4000-8000-00000000000b', 'bob', '%s'),
                      ('00000000-0000-4000-8000-00000000000c', 'carol', null)""".formatted(LINKED, LINKED_WITHOUT_STATE));
            sql.execute("""
                    insert into cloud_sync_state (user_id, desired_generation, applied_generation, status) values
                      ('00000000-0000-4000-8000-00000000000a', 3, 3, 'IN_SYNC'),
                      ('00000000-0000-4000-8000-00000000000c', 2, 2, 'IN_SYNC')""");
        }

        database.flyway().load().migrate();

        try (Connection db = database.connect(); Statement sql = db.createStatement()) {
            assertThat(rows(sql, "select subject from app_user where cognito_identity_id is not null")).isEmpty();
            assertThat(rows(sql, """
                    select u.subject, s.desired_generation, s.applied_generation, s.status, s.retired_identities
                    from cloud_sync_state s join app_user u on u.id = s.user_id order by u.subject""")).containsExactly(
                    "alice 4 3 PENDING [" + LINKED + "]",
                    "bob 1 0 PENDING [" + LINKED_WITHOUT_STATE + "]",
                    "carol 2 2 IN_SYNC []");
            assertThat(rows(sql, "select count(*) from cloud_sync_state where status = 'PENDING' and next_attempt_at "
                    + "<= now()")).as("due for the reconciler at once").containsExactly("2");
        }
    }
}
