package dev.appliancesync.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.nullValue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.appliancesync.common.mqtt.TopicFilter;
import dev.appliancesync.identity.dev.DevTokenIssuer;
import dev.appliancesync.ingest.IngestConfig;
import dev.appliancesync.support.ConfiguredServers;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * When the standard Quarkus settings name a database and a broker, the service uses them and starts neither
 * embedded one. The "configured" servers here are started by the test, outside the application (ConfiguredServers,
 * a profile shared with the tests that take those servers away).
 */
@QuarkusTest
@TestProfile(ConfiguredServers.class)
class ConfiguredServicesTest {

    @Inject
    IngestConfig ingest;

    @Test
    void nothingEmbeddedStartsForConfiguredServices() {
        assertThat(EmbeddedServices.find(EmbeddedPostgresServer.class)).isEmpty();
        assertThat(EmbeddedServices.find(EmbeddedMqttBroker.class)).isEmpty();
    }

    @Test
    void aConfiguredBrokerIsSubscribedInTheShareGroup() {
        // Only the embedded broker, which serves this instance alone, turns sharing off; any other may have peers.
        assertThat(ingest.shared()).isTrue();
        assertThat(ingest.subscription(ingest.topics().events()))
                .isEqualTo(TopicFilter.shared(ingest.shareGroup(), ingest.topics().events()));
    }

    @Test
    void theConfiguredDatabaseIsTheOneThatIsUsed() throws Exception {
        String username = Tokens.uniqueUsername("configured");
        GraphQL.post(Tokens.forUser(username), "{ me { id } }").then().statusCode(200).body("errors", nullValue());

        try (Connection connection = DriverManager.getConnection(ConfiguredServers.postgres().jdbcUrl(), "postgres",
                "postgres");
                PreparedStatement query = connection.prepareStatement("select count(*) from app_user where subject = ?")) {
            query.setString(1, DevTokenIssuer.subjectOf(username));
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                assertThat(rows.getLong(1)).isOne();
            }
        }
    }
}
