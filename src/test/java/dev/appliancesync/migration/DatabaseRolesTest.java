package dev.appliancesync.migration;

import static dev.appliancesync.support.MigrationDatabase.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.appliancesync.support.MigrationDatabase;

/**
 * deploy/database/roles.sql as an operator runs it, then every migration as the schema's owner, as the migration job
 * runs them: the owner owns every table, and the service's user reads and writes rows, of future tables too, but
 * cannot change the schema.
 */
class DatabaseRolesTest {

    static final Path ROLES = Path.of("deploy/database/roles.sql");
    static final String OWNER = "appliance_sync_owner";
    static final String APP = "appliance_sync_app";
    /** insufficient_privilege */
    private static final String DENIED = "42501";

    private static MigrationDatabase database;

    @BeforeAll
    static void bootstrapAndMigrate() throws IOException, SQLException {
        database = MigrationDatabase.start();
        try (Connection admin = database.connect(); Statement sql = admin.createStatement()) {
            sql.execute(Files.readString(ROLES));
            // Run twice: an operator re-running it after a failure must not get an error.
            sql.execute(Files.readString(ROLES));
        }
        database.flyway(OWNER).load().migrate();
    }

    @AfterAll
    static void stop() {
        database.close();
    }

    @Test
    void theOwnerOwnsEveryTable() throws SQLException {
        try (Connection owner = database.connect(OWNER); Statement sql = owner.createStatement()) {
            assertThat(rows(sql, "select distinct tableowner from pg_tables where schemaname = 'public'"))
                    .containsExactly(OWNER);
        }
    }

    @Test
    void theServicesUserReadsAndWritesRows() throws SQLException {
        try (Connection app = database.connect(APP); Statement sql = app.createStatement()) {
            sql.execute("insert into app_user (subject) values ('roles-test')");
            sql.execute("update app_user set email_verified = true where subject = 'roles-test'");
            assertThat(rows(sql, "select email_verified from app_user where subject = 'roles-test'"))
                    .containsExactly("true");
            sql.execute("delete from app_user where subject = 'roles-test'");
            // The replicas' check that nothing is pending reads Flyway's history.
            assertThat(rows(sql, "select count(*) > 0 from flyway_schema_history")).containsExactly("true");
        }
    }

    @Test
    void theServicesUserCannotChangeTheSchema() throws SQLException {
        try (Connection app = database.connect(APP); Statement sql = app.createStatement()) {
            for (String ddl : new String[] { "create table intruder (id int)",
                    "alter table app_user add column intruder text", "drop table app_user", "truncate app_user",
                    "create index intruder_idx on app_user (email)" }) {
                assertThatThrownBy(() -> sql.execute(ddl)).as(ddl).isInstanceOfSatisfying(SQLException.class,
                        e -> assertThat(e.getSQLState()).as(ddl + ": " + e.getMessage()).isEqualTo(DENIED));
            }
        }
    }

    @Test
    void aTableOfALaterMigrationIsTheServicesToo() throws SQLException {
        try (Connection owner = database.connect(OWNER); Statement sql = owner.createStatement()) {
            sql.execute("create table later_migration (id bigint generated always as identity, note text)");
        }
        try (Connection app = database.connect(APP); Statement sql = app.createStatement()) {
            sql.execute("insert into later_migration (note) values ('written by the service')");
            assertThat(rows(sql, "select note from later_migration")).containsExactly("written by the service");
        }
    }
}
