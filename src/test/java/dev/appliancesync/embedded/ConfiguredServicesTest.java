package dev.appliancesync.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.nullValue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.appliancesync.identity.dev.DevTokenIssuer;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.Tokens;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * When the standard Quarkus settings name a database and a broker, the service uses them and starts neither
 * embedded one. The "configured" servers here are started by the test, outside the application.
 */
@QuarkusTest
@TestProfile(ConfiguredServicesTest.ConfiguredServers.class)
class ConfiguredServicesTest {

    static EmbeddedPostgresServer externalPostgres;
    static EmbeddedMqttBroker externalBroker;

    public static class ConfiguredServers implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(ExternalServers.class));
        }
    }

    public static class ExternalServers implements QuarkusTestResourceLifecycleManager {
        @Override
        public Map<String, String> start() {
            externalPostgres = EmbeddedPostgresServer.start(null, 0);
            externalBroker = EmbeddedServersForTests.mqttBroker(131072);
            return Map.of(
                    "quarkus.datasource.reactive.url", externalPostgres.reactiveUrl(),
                    "quarkus.datasource.jdbc.url", externalPostgres.jdbcUrl(),
                    "quarkus.datasource.username", "postgres",
                    "quarkus.datasource.password", "postgres",
                    "mp.messaging.connector.smallrye-mqtt.host", externalBroker.host(),
                    "mp.messaging.connector.smallrye-mqtt.port", String.valueOf(externalBroker.port()));
        }

        @Override
        public void stop() {
            externalBroker.stop();
            externalPostgres.stop();
        }
    }

    @Test
    void nothingEmbeddedStartsForConfiguredServices() {
        assertThat(EmbeddedServices.find(EmbeddedPostgresServer.class)).isEmpty();
        assertThat(EmbeddedServices.find(EmbeddedMqttBroker.class)).isEmpty();
    }

    @Test
    void theConfiguredDatabaseIsTheOneThatIsUsed() throws Exception {
        String username = Tokens.uniqueUsername("configured");
        GraphQL.post(Tokens.forUser(username), "{ me { id } }").then().statusCode(200).body("errors", nullValue());

        try (Connection connection = DriverManager.getConnection(externalPostgres.jdbcUrl(), "postgres", "postgres");
                PreparedStatement query = connection.prepareStatement("select count(*) from app_user where subject = ?")) {
            query.setString(1, DevTokenIssuer.subjectOf(username));
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                assertThat(rows.getLong(1)).isOne();
            }
        }
    }
}
