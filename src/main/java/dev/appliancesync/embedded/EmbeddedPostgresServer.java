package dev.appliancesync.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jboss.logging.Logger;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL server, unpacked from the Maven binaries jar and run as a child process.
 * With a data directory it keeps its data between runs (dev mode); without one it starts empty and is removed on stop.
 */
public final class EmbeddedPostgresServer implements EmbeddedServer {

    private static final Logger LOG = Logger.getLogger(EmbeddedPostgresServer.class);
    static final String DATABASE = "postgres";
    static final String USER = "postgres";
    private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);

    private final EmbeddedPostgres postgres;
    private final AtomicBoolean stopped = new AtomicBoolean();

    private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /**
     * @param dataDirectory where the cluster lives between runs, or null for a throw-away cluster
     * @param preferredPort the port to use when free, 0 for any free port
     */
    static EmbeddedPostgresServer start(Path dataDirectory, int preferredPort) {
        // Absolute, so logs and errors name one place whatever the working directory.
        Path directory = dataDirectory == null ? null : dataDirectory.toAbsolutePath();
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setPort(FreePort.preferredOrFree(preferredPort))
                    // We stop it on application shutdown; the hook is the backstop when the JVM exits without one.
                    .setRegisterShutdownHook(true)
                    // First start on a busy or cold machine runs initdb; zonky's default 10 s is not always enough.
                    .setPGStartupWait(STARTUP_WAIT)
                    .setServerConfig("max_connections", "200")
                    // Both loopbacks: zonky's readiness probe dials InetAddress.getLoopbackAddress(), which is ::1 in
                    // JVMs that prefer IPv6, while "localhost" may name 127.0.0.1 only.
                    .setServerConfig("listen_addresses", "127.0.0.1,::1")
                    // TCP only: a Unix socket lock in /tmp is shared by every PostgreSQL on the machine using this
                    // port number, and a stale one from a killed server would stop this one from starting.
                    .setServerConfig("unix_socket_directories", "");
            if (directory != null) {
                // 0700, because PostgreSQL refuses a data directory that others can read.
                Files.createDirectories(directory);
                Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
                builder.setDataDirectory(directory).setCleanDataDirectory(false);
            }
            long started = System.nanoTime();
            EmbeddedPostgres postgres = builder.start();
            EmbeddedPostgresServer server = new EmbeddedPostgresServer(postgres);
            LOG.infof("Embedded PostgreSQL started in %d ms: %s (user %s, data %s)",
                    (System.nanoTime() - started) / 1_000_000, server.jdbcUrl(), USER,
                    directory == null ? "temporary" : directory);
            return server;
        } catch (IOException | IllegalStateException e) {
            // initdb refuses a non-empty directory without a cluster, the server one it cannot read: say what helps.
            throw new IllegalStateException(directory == null ? "Embedded PostgreSQL did not start"
                    : "Embedded PostgreSQL did not start with data in " + directory
                            + "; if that folder holds a damaged or foreign cluster, delete it to start empty", e);
        }
    }

    public int port() {
        return postgres.getPort();
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port() + "/" + DATABASE;
    }

    public String reactiveUrl() {
        return "postgresql://localhost:" + port() + "/" + DATABASE;
    }

    @Override
    public String name() {
        return "PostgreSQL";
    }

    @Override
    public void stop() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        try {
            postgres.close();
            LOG.infof("Embedded PostgreSQL on port %d stopped", port());
        } catch (IOException e) {
            throw new UncheckedIOException("Embedded PostgreSQL did not stop cleanly", e);
        }
    }
}
