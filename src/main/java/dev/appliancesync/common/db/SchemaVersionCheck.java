package dev.appliancesync.common.db;

import java.util.Arrays;
import java.util.stream.Collectors;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;

/**
 * Refuses to start a replica on a schema older than its release. In production replicas do not migrate (the
 * release's migration job does, once, as the schema's owner: docs/deployment.md, Migrations); a replica started before that job
 * ran would otherwise fail on its first query of a new column, long after it reported ready. A schema newer than the
 * release is fine: that is an older replica during a rolling deploy, which the expand/contract rule keeps working.
 * Runs before every other start-up observer, so nothing connects to MQTT or listens for changes first.
 */
@ApplicationScoped
public class SchemaVersionCheck {

    private static final Logger LOG = Logger.getLogger(SchemaVersionCheck.class);

    private final Flyway flyway;

    SchemaVersionCheck(Flyway flyway) {
        this.flyway = flyway;
    }

    void check(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent started) {
        MigrationInfoService info = flyway.info();
        MigrationInfo[] pending = info.pending();
        MigrationInfo current = info.current();
        String at = current == null ? "empty (no migration applied)" : "at version " + current.getVersion();
        if (pending.length > 0) {
            throw new IllegalStateException("The database schema is " + at + ", and this release needs migrations "
                    + Arrays.stream(pending).map(m -> String.valueOf(m.getVersion())).collect(Collectors.joining(", "))
                    + " too: run this release's migration job first (docs/deployment.md, \"Migrations\"), then start"
                    + " the service again");
        }
        LOG.infof("Database schema %s: nothing pending for this release", at);
    }
}
