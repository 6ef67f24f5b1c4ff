package dev.appliancesync.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded parts on their own: they start, keep dev data across runs, and free their ports when stopped. */
class EmbeddedServersLifecycleTest {

    @Test
    void postgresKeepsItsDataDirectoryBetweenRunsAndReleasesItsPort(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("pg");
        EmbeddedPostgresServer first = EmbeddedPostgresServer.start(data, 0);
        try (Connection connection = DriverManager.getConnection(first.jdbcUrl(), "postgres", "postgres")) {
            connection.createStatement().execute("create table kept (value text); insert into kept values ('x')");
        } finally {
            first.stop();
        }
        assertThat(isFree(first.port())).isTrue();

        EmbeddedPostgresServer second = EmbeddedPostgresServer.start(data, 0);
        try (Connection connection = DriverManager.getConnection(second.jdbcUrl(), "postgres", "postgres");
                ResultSet rows = connection.createStatement().executeQuery("select value from kept")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo("x");
        } finally {
            second.stop();
        }
        assertThat(Files.exists(data.resolve("PG_VERSION"))).isTrue();
    }

    @Test
    void brokerStopsCleanlyAndReleasesItsPort() {
        EmbeddedMqttBroker broker = EmbeddedServersForTests.mqttBroker(131072);
        int port = broker.port();
        assertThat(isFree(port)).isFalse();
        broker.stop();
        assertThat(isFree(port)).isTrue();
    }

    @Test
    void aTakenPreferredPortFallsBackToAFreeOne() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertThat(FreePort.preferredOrFree(taken.getLocalPort())).isNotEqualTo(taken.getLocalPort());
        }
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
