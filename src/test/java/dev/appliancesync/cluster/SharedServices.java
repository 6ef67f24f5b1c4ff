package dev.appliancesync.cluster;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jboss.logging.Logger;

import dev.appliancesync.cloud.FakeAws;
import dev.appliancesync.embedded.EmbeddedMqttBroker;
import dev.appliancesync.embedded.EmbeddedPostgresServer;
import dev.appliancesync.embedded.EmbeddedServer;
import dev.appliancesync.embedded.EmbeddedServersForTests;
import dev.appliancesync.identity.dev.DevIssuerConfig;
import dev.appliancesync.identity.dev.DevIssuerServer;
import dev.appliancesync.identity.dev.DevTokenIssuer;
import dev.appliancesync.identity.dev.DevTokenRequest;

/**
 * What several service instances share, started in the test JVM: one PostgreSQL, one MQTT broker, one token issuer and
 * one fake AWS ({@link FakeAws}, IoT Core and Cognito), the embedded parts the service starts for itself in dev mode and
 * tests. The instances run the packaged application, a production build, which has no local cloud gateway
 * ({@code appliance-sync.cloud.mode=local} is dev and test only): they sync with the fake AWS as production does with AWS. {@link #serviceProperties()} is the
 * configuration {@code EmbeddedServicesConfigFactory} would hand Quarkus for them, so every instance given it uses
 * these same servers and accepts the same tokens.
 * <p>
 * Tokens are minted here, not with {@code POST /dev/token}: the instances run the packaged application, a production
 * build, which has no such endpoint (DevTokenIssuer and DevTokenResource are built into dev and test only). The issuer
 * class itself is on this JVM's class path, and signs with the key whose public half the issuer's JWKS serves, exactly
 * as the endpoint does in dev mode.
 * <p>
 * {@link #startWithoutBroker()} leaves the broker out, for tests that bring another one (a mosquitto process): they
 * name it in {@link #serviceProperties(String, int)}. {@link #startWithoutBroker(Path)} keeps PostgreSQL's data in a
 * directory, so that a test can {@link #stopDatabase() stop} it and {@link #startDatabase() start} it again on the
 * same port with the same data, as an outage of the database server would.
 */
public final class SharedServices implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SharedServices.class);
    /** application.properties' appliance-sync.embedded.mqtt.max-packet-size (IoT Core's limit). */
    private static final int MQTT_MAX_PACKET_SIZE = 262144;

    private final Deque<EmbeddedServer> running = new ArrayDeque<>();
    /** Where PostgreSQL keeps its data, or null for a throw-away cluster (which cannot be started again). */
    private final Path databaseDirectory;
    /** The running server; replaced by {@link #startDatabase()}, stopped last by {@link #close()}. */
    private EmbeddedPostgresServer postgres;
    /** Null when started {@link #startWithoutBroker() without one}. */
    private final EmbeddedMqttBroker broker;
    private final DevIssuerServer issuer;
    private final DevTokenIssuer tokens;
    private final FakeAws aws;

    private SharedServices(boolean withBroker, Path databaseDirectory) {
        this.databaseDirectory = databaseDirectory;
        try {
            postgres = databaseDirectory == null ? EmbeddedServersForTests.postgres()
                    : EmbeddedServersForTests.postgres(databaseDirectory, StablePorts.next());
            broker = withBroker ? started(EmbeddedServersForTests.mqttBroker(MQTT_MAX_PACKET_SIZE)) : null;
            issuer = started(DevIssuerServer.start(0, null));
            aws = FakeAws.start();
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        tokens = new DevTokenIssuer(issuerConfig(issuer), DevIssuerServer.CLIENT_ID);
    }

    /** PostgreSQL, the embedded MQTT broker (HiveMQ) and the token issuer. */
    public static SharedServices start() {
        return new SharedServices(true, null);
    }

    /** PostgreSQL and the token issuer only: the caller brings the broker (see {@link #serviceProperties(String, int)}). */
    public static SharedServices startWithoutBroker() {
        return new SharedServices(false, null);
    }

    /**
     * The same, with PostgreSQL's data in {@code databaseDirectory} (empty or absent: a new cluster), so that it can
     * be {@link #stopDatabase() stopped} and {@link #startDatabase() started} again.
     */
    public static SharedServices startWithoutBroker(Path databaseDirectory) {
        return new SharedServices(false, databaseDirectory);
    }

    /** Stops PostgreSQL (a fast shutdown: open connections are cut), keeping its data and its port. */
    public synchronized void stopDatabase() {
        postgres.stop();
    }

    /** Starts the stopped PostgreSQL again, on the same port with the same data; fails if the port was taken. */
    public synchronized void startDatabase() {
        if (databaseDirectory == null) {
            throw new IllegalStateException("A throw-away PostgreSQL cannot start again: use startWithoutBroker(Path)");
        }
        int port = postgres.port();
        EmbeddedPostgresServer again = EmbeddedServersForTests.postgres(databaseDirectory, port);
        postgres = again;
        if (again.port() != port) {
            throw new IllegalStateException("PostgreSQL's port " + port + " was taken while it was stopped; it started on "
                    + again.port() + ", where the services do not look for it");
        }
    }

    private <T extends EmbeddedServer> T started(T server) {
        running.push(server);
        return server;
    }

    /** The settings that point a service instance at these servers (as EmbeddedServicesConfigFactory sets them). */
    public Map<String, String> serviceProperties() {
        return serviceProperties(mqttHost(), mqttPort());
    }

    /** The same, with the instances' MQTT broker at {@code mqttHost:mqttPort} instead of the embedded one. */
    public Map<String, String> serviceProperties(String mqttHost, int mqttPort) {
        Map<String, String> properties = new LinkedHashMap<>();
        EmbeddedPostgresServer database = databaseServer();
        properties.put("quarkus.datasource.reactive.url", database.reactiveUrl());
        properties.put("quarkus.datasource.jdbc.url", database.jdbcUrl());
        properties.put("quarkus.datasource.username", EmbeddedServersForTests.POSTGRES_USER);
        properties.put("quarkus.datasource.password", EmbeddedServersForTests.POSTGRES_USER);
        // Production replicas leave migrating to the release's migration job; these instances share a new database
        // and migrate it at start, as dev mode does (RollingDeployIT runs the job's way instead, and overrides this).
        properties.put("quarkus.flyway.migrate-at-start", "true");
        properties.put("mp.messaging.connector.smallrye-mqtt.host", mqttHost);
        properties.put("mp.messaging.connector.smallrye-mqtt.port", String.valueOf(mqttPort));
        properties.put("quarkus.oidc.auth-server-url", issuer.issuer());
        properties.put("quarkus.oidc.client-id", DevIssuerServer.CLIENT_ID);
        // Read only by the dev issuer, which a production build leaves out; set for parity with dev mode.
        properties.put("appliance-sync.dev-issuer.issuer", issuer.issuer());
        properties.put("appliance-sync.dev-issuer.key-file", issuer.keyFile().toString());
        // No AWS account here: the instances sync compiled cloud access with the fake one.
        properties.putAll(aws.settings());
        return properties;
    }

    /** A Cognito-shaped access token signed by the shared issuer: every instance accepts it. */
    public String token(String username, String email, List<String> groups) {
        // Signed up in the user pool too, as a Cognito user is, so that the cloud sync can set its attributes.
        synchronized (aws) {
            if (!aws.hasUser(username)) {
                aws.addUser(username, Map.of());
            }
        }
        return tokens.mint(new DevTokenRequest(username, email, groups, null));
    }

    public String issuerUrl() {
        return issuer.issuer();
    }

    /** The embedded broker's host; fails if started without one. */
    public String mqttHost() {
        return embeddedBroker().host();
    }

    public int mqttPort() {
        return embeddedBroker().port();
    }

    private synchronized EmbeddedPostgresServer databaseServer() {
        return postgres;
    }

    private EmbeddedMqttBroker embeddedBroker() {
        if (broker == null) {
            throw new IllegalStateException("Started without the embedded MQTT broker: name the broker in use");
        }
        return broker;
    }

    /** A JDBC connection to the shared database, to check what the instances wrote (close it). */
    public Connection database() throws SQLException {
        return DriverManager.getConnection(databaseServer().jdbcUrl(), EmbeddedServersForTests.POSTGRES_USER,
                EmbeddedServersForTests.POSTGRES_USER);
    }

    @Override
    public void close() {
        if (aws != null) {
            aws.close();
        }
        while (!running.isEmpty()) {
            stop(running.pop());
        }
        EmbeddedServer database;
        synchronized (this) {
            database = postgres;
        }
        if (database != null) {
            stop(database);
        }
    }

    private static void stop(EmbeddedServer server) {
        try {
            server.stop();
        } catch (RuntimeException e) {
            LOG.warnf(e, "Embedded %s did not stop cleanly", server.name());
        }
    }

    private static DevIssuerConfig issuerConfig(DevIssuerServer issuer) {
        return new DevIssuerConfig() {
            @Override
            public Optional<String> issuer() {
                return Optional.of(issuer.issuer());
            }

            @Override
            public Optional<Path> keyFile() {
                return Optional.of(issuer.keyFile());
            }

            @Override
            public Duration defaultLifetime() {
                return Duration.ofHours(1);
            }

            @Override
            public Duration maxLifetime() {
                return Duration.ofDays(1);
            }
        };
    }
}
