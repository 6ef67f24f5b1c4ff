package dev.appliancesync.common.db;

import jakarta.enterprise.context.ApplicationScoped;

import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;

import io.quarkus.flyway.FlywayConfigurationCustomizer;

/**
 * Flyway holds its migration lock as a session advisory lock, not a transactional one. Migrations build indexes on
 * live tables {@code concurrently} (docs/deployment.md), and a concurrent build waits for every open transaction to end:
 * Flyway's own transaction holding the lock would be one of them, so the build would wait for its own migration until
 * the lock timeout ends it (or, with none set, for ever).
 */
@ApplicationScoped
public class MigrationSessionLock implements FlywayConfigurationCustomizer {

    @Override
    public void customize(FluentConfiguration configuration) {
        onSessionLock(configuration);
    }

    /** The same for Flyway configured outside Quarkus (the migration tests): every Flyway of ours must use it. */
    public static FluentConfiguration onSessionLock(FluentConfiguration configuration) {
        configuration.getPluginRegister().getPlugin(PostgreSQLConfigurationExtension.class).setTransactionalLock(false);
        return configuration;
    }
}
