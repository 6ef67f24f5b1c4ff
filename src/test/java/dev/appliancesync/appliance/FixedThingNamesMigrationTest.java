package dev.appliancesync.appliance;

import static dev.appliancesync.support.MigrationDatabase.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.appliancesync.support.MigrationDatabase;

/**
 * V8 on a database that holds appliances renamed into households by the old scheme: every appliance gets its
 * registered name back, there is one name column, and no statement can change a thing name afterwards.
 */
class FixedThingNamesMigrationTest {

    private static final String HASH = "0".repeat(64);
    private static final String OWNER = "00000000-0000-0000-0000-000000000001";
    private static final String HOME = "00000000-0000-0000-0000-0000000000a1";
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
    void renamedAppliancesGetTheirRegisteredNameBackAndKeepIt() throws SQLException {
        database.flyway().target("7").load().migrate();
        try (Connection db = database.connect(); Statement sql = db.createStatement()) {
            sql.execute("insert into app_user (id, subject) values ('" + OWNER + "', 'owner')");
            sql.execute("insert into household (id, name, thing_prefix, owner_id) values ('" + HOME + "', 'Home', "
                    + "'abcd1234', '" + OWNER + "')");
            // Renamed into the household, never in one, and renamed with ':' in its registered name.
            sql.execute("""
                    insert into appliance (serial_number, appliance_type, thing_name, factory_thing_name, claim_code_hash,
                                           owner_id, household_id, claimed_at)
                    values ('SN-1', 'COOKER', 'abcd1234-SN-1', 'SN-1', '%1$s', '%2$s', '%3$s', now()),
                           ('SN-2', 'FRIDGE', 'oven-two', 'oven-two', '%1$s', null, null, null),
                           ('SN-3', 'SENSE', 'abcd1234-sense:3', 'sense:3', '%1$s', '%2$s', '%3$s', now())
                    """.formatted(HASH, OWNER, HOME));
        }

        database.flyway().load().migrate();

        try (Connection db = database.connect(); Statement sql = db.createStatement()) {
            assertThat(rows(sql, "select serial_number || ' ' || thing_name || ' ' || coalesce(household_id::text, '-') "
                    + "from appliance order by serial_number"))
                    .containsExactly("SN-1 SN-1 " + HOME, "SN-2 oven-two -", "SN-3 sense:3 " + HOME);
            assertThat(rows(sql, "select column_name from information_schema.columns where table_name = 'appliance' "
                    + "and column_name like '%thing%'")).containsExactly("thing_name");

            assertThatThrownBy(() -> sql.execute("update appliance set thing_name = 'renamed' where serial_number = 'SN-2'"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("fixed at registration");
            // Everything else may still change; setting the same name is no change.
            sql.execute("update appliance set household_id = null, thing_name = thing_name where serial_number = 'SN-1'");
            assertThat(rows(sql, "select thing_name from appliance where household_id is null order by 1"))
                    .containsExactly("SN-1", "oven-two");
            // A name that looks like '<prefix>-...' is an ordinary thing name now.
            sql.execute("insert into appliance (serial_number, appliance_type, thing_name, claim_code_hash) "
                    + "values ('SN-4', 'GENERIC', 'abcd1234-looks-like-a-household', '" + HASH + "')");
            assertThat(rows(sql, "select thing_name from appliance where serial_number = 'SN-4'"))
                    .containsExactly("abcd1234-looks-like-a-household");
        }
    }
}
