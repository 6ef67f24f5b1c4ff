package dev.appliancesync.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;

import dev.appliancesync.common.db.MigrationSessionLock;
import dev.appliancesync.embedded.EmbeddedPostgresServer;
import dev.appliancesync.embedded.EmbeddedServersForTests;

/**
 * A PostgreSQL of its own for a migration test: migrate to a version, put in the data an older release left, migrate
 * on, and read what the migration made of it. Plain JDBC, outside Quarkus, so the test decides every step.
 */
public final class MigrationDatabase implements AutoCloseable {

    private static final String USER = EmbeddedServersForTests.POSTGRES_USER;

    private final EmbeddedPostgresServer postgres;

    private MigrationDatabase(EmbeddedPostgresServer postgres) {
        this.postgres = postgres;
    }

    public static MigrationDatabase start() {
        return new MigrationDatabase(EmbeddedServersForTests.postgres());
    }

    /** Flyway over the service's own migrations; add {@code target(...)} to stop at a version. */
    public FluentConfiguration flyway() {
        return flyway(USER);
    }

    public Connection connect() throws SQLException {
        return connect(USER);
    }

    /** Flyway as {@code user} (the embedded server trusts local connections: no password is checked). */
    public FluentConfiguration flyway(String user) {
        // The service's own lock setting, or V14's concurrent index builds wait on Flyway's transaction for ever.
        return MigrationSessionLock.onSessionLock(
                Flyway.configure().dataSource(postgres.jdbcUrl(), user, user).locations("classpath:db/migration"));
    }

    /** A connection as {@code user}, e.g. one of the roles deploy/database/roles.sql creates. */
    public Connection connect(String user) throws SQLException {
        return DriverManager.getConnection(postgres.jdbcUrl(), user, user);
    }

    /** Each row's columns joined by spaces (arrays as {@code [a, b]}). */
    public static List<String> rows(Statement sql, String query) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (ResultSet result = sql.executeQuery(query)) {
            int columns = result.getMetaData().getColumnCount();
            while (result.next()) {
                List<String> values = new ArrayList<>();
                for (int i = 1; i <= columns; i++) {
                    Object value = result.getObject(i);
                    values.add(value instanceof java.sql.Array array ? Arrays.toString((Object[]) array.getArray())
                            : String.valueOf(value));
                }
                rows.add(String.join(" ", values));
            }
        }
        return rows;
    }

    @Override
    public void close() {
        postgres.stop();
    }
}
