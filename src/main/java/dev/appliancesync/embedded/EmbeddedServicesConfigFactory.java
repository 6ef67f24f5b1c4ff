package dev.appliancesync.embedded;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.eclipse.microprofile.config.spi.ConfigSource;

import dev.appliancesync.identity.dev.DevIssuerServer;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;

/**
 * Starts a real PostgreSQL, a real MQTT broker and a local token issuer when the service runs without them
 * (dev mode and tests), and hands their addresses to Quarkus as ordinary configuration.
 * <p>
 * Each part starts only when its standard Quarkus setting is absent, so configuring a real database, broker or
 * Cognito user pool is all it takes to leave the embedded one out. It runs while the runtime configuration is built,
 * which is before the datasource, the MQTT connector and OIDC read it.
 */
public final class EmbeddedServicesConfigFactory implements ConfigSourceFactory {

    static final String ENABLED = "appliance-sync.embedded.enabled";
    static final String POSTGRES_DATA_DIR = "appliance-sync.embedded.postgres.data-dir";
    static final String POSTGRES_PORT = "appliance-sync.embedded.postgres.port";
    static final String MQTT_PORT = "appliance-sync.embedded.mqtt.port";
    static final String MQTT_MAX_PACKET_SIZE = "appliance-sync.embedded.mqtt.max-packet-size";
    static final String MQTT_MAX_QUEUED_MESSAGES = "appliance-sync.embedded.mqtt.max-queued-messages";
    static final String MQTT_MAX_INFLIGHT_MESSAGES = "appliance-sync.embedded.mqtt.max-inflight-messages";
    static final String ISSUER_PORT = "appliance-sync.embedded.issuer.port";
    static final String ISSUER_KEY_FILE = "appliance-sync.embedded.issuer.key-file";
    static final String TLS_ENABLED = "appliance-sync.embedded.tls.enabled";
    static final String TLS_DIR = "appliance-sync.embedded.tls.dir";
    static final String TLS_PORT = "appliance-sync.embedded.tls.port";
    /** Where the dev certificate ended up (PEM), for the start-up message and for tests that trust it. */
    public static final String TLS_CERTIFICATE = "appliance-sync.embedded.tls.certificate";

    static final String DATASOURCE_REACTIVE_URL = "quarkus.datasource.reactive.url";
    static final String MQTT_HOST = "mp.messaging.connector.smallrye-mqtt.host";
    static final String INGEST_SHARED = "appliance-sync.ingest.shared";
    static final String OIDC_SERVER = "quarkus.oidc.auth-server-url";
    /** The TLS registry's default key store, which the HTTP server's HTTPS port uses (docs/configuration.md, "HTTPS"). */
    /**
     * The API's HTTPS uses a named TLS configuration, not the default one: Quarkus serves the management interface
     * (health, metrics) with the default one too, and probes and scrapers inside the cluster speak plain HTTP to it.
     */
    static final String TLS_CONFIGURATION = "https";
    static final String TLS_P12_KEY_STORE = "quarkus.tls." + TLS_CONFIGURATION + ".key-store.p12.path";
    static final String TLS_PEM_CERTIFICATE = "quarkus.tls." + TLS_CONFIGURATION + ".key-store.pem.0.cert";

    /** Readers of the configuration that start no application with it: see {@link #isReadForNoApplication()}. */
    private static final Set<String> NO_APPLICATION_READERS = Set.of(
            "io.quarkus.deployment.configuration.BuildTimeConfigurationReader",
            "io.quarkus.test.config.ConfigLauncherSession");

    /** Below application.properties (250): the embedded values only ever fill gaps. */
    private static final int ORDINAL = 200;

    @Override
    public synchronized Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        if (isReadForNoApplication() || !Boolean.parseBoolean(value(context, ENABLED, "false"))) {
            return List.of();
        }
        if (!EmbeddedServices.isEmpty()) {
            // Configuration is rebuilt for this same run: the servers already started stay the only ones.
            return List.of(new PropertiesConfigSource(EmbeddedServices.properties(), "embedded services", ORDINAL));
        }
        Map<String, String> properties = new LinkedHashMap<>();
        try {
            if (isAbsent(context, DATASOURCE_REACTIVE_URL)) {
                properties.putAll(startPostgres(context));
            }
            if (isAbsent(context, MQTT_HOST)) {
                properties.putAll(startBroker(context));
            }
            if (isAbsent(context, OIDC_SERVER)) {
                properties.putAll(startIssuer(context));
            }
            // Dev mode and tests only: they say where the certificate lives. Elsewhere (embedded services under the
            // production profile) HTTPS is the operator's, never a self-signed certificate made on the spot.
            if (Boolean.parseBoolean(value(context, TLS_ENABLED, "true")) && !isAbsent(context, TLS_DIR)
                    && isAbsent(context, TLS_P12_KEY_STORE) && isAbsent(context, TLS_PEM_CERTIFICATE)) {
                properties.putAll(httpsWithDevCertificate(context));
            }
        } catch (RuntimeException e) {
            // Leave nothing running behind a failed start: dev mode retries, and would find the ports and data taken.
            EmbeddedServices.stopAll();
            throw e;
        }
        EmbeddedServices.putProperties(properties);
        return List.of(new PropertiesConfigSource(properties, "embedded services", ORDINAL));
    }

    private static Map<String, String> startPostgres(ConfigSourceContext context) {
        String dataDir = value(context, POSTGRES_DATA_DIR, "");
        EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(dataDir.isBlank() ? null : Path.of(dataDir),
                Integer.parseInt(value(context, POSTGRES_PORT, "0")));
        EmbeddedServices.register(postgres);
        return Map.of(
                DATASOURCE_REACTIVE_URL, postgres.reactiveUrl(),
                "quarkus.datasource.jdbc.url", postgres.jdbcUrl(),
                "quarkus.datasource.username", EmbeddedPostgresServer.USER,
                "quarkus.datasource.password", EmbeddedPostgresServer.USER);
    }

    private static Map<String, String> startBroker(ConfigSourceContext context) {
        EmbeddedMqttBroker broker = EmbeddedMqttBroker.start(Integer.parseInt(value(context, MQTT_PORT, "0")),
                Integer.parseInt(required(context, MQTT_MAX_PACKET_SIZE)),
                Integer.parseInt(required(context, MQTT_MAX_QUEUED_MESSAGES)),
                Integer.parseInt(required(context, MQTT_MAX_INFLIGHT_MESSAGES)));
        EmbeddedServices.register(broker);
        // This instance is the broker's only subscriber: nobody to share the device topics with (IngestConfig#shared).
        return Map.of(
                MQTT_HOST, broker.host(),
                "mp.messaging.connector.smallrye-mqtt.port", String.valueOf(broker.port()),
                INGEST_SHARED, "false");
    }

    private static Map<String, String> startIssuer(ConfigSourceContext context) {
        String keyFile = value(context, ISSUER_KEY_FILE, "");
        DevIssuerServer issuer = DevIssuerServer.start(Integer.parseInt(value(context, ISSUER_PORT, "0")),
                keyFile.isBlank() ? null : Path.of(keyFile));
        EmbeddedServices.register(issuer);
        return Map.of(
                OIDC_SERVER, issuer.issuer(),
                "quarkus.oidc.client-id", DevIssuerServer.CLIENT_ID,
                "appliance-sync.dev-issuer.issuer", issuer.issuer(),
                "appliance-sync.dev-issuer.key-file", issuer.keyFile().toString());
    }

    /** HTTPS on its own port (HTTP stays), with the dev certificate: AWS Amplify speaks nothing else. */
    private static Map<String, String> httpsWithDevCertificate(ConfigSourceContext context) {
        DevCertificate certificate = DevCertificate.inDirectory(Path.of(required(context, TLS_DIR)));
        int preferred = Integer.parseInt(value(context, TLS_PORT, "0"));
        // 0 stays 0 (tests: Quarkus binds a free port, as it does for HTTP). HTTP and HTTPS must agree on that:
        // Quarkus tags a fixed port's server metrics with server.port, and Prometheus refuses a meter that has the
        // tag next to one without it (the HTTPS server would then never finish starting).
        String port = String.valueOf(preferred == 0 ? 0 : FreePort.preferredOrFree(preferred));
        return Map.of(
                TLS_P12_KEY_STORE, certificate.keyStore().toAbsolutePath().toString(),
                "quarkus.tls." + TLS_CONFIGURATION + ".key-store.p12.password", DevCertificate.PASSWORD,
                "quarkus.http.tls-configuration-name", TLS_CONFIGURATION,
                "quarkus.http.ssl-port", port,
                // Tests listen on this one instead.
                "quarkus.http.test-ssl-port", port,
                TLS_CERTIFICATE, certificate.certificate().toAbsolutePath().toString());
    }

    /**
     * Configuration read for no running application, which needs none of these values (they are all run-time
     * settings): Quarkus reads it while it builds the application (and in dev mode on every reload, while the previous
     * instance still runs), and quarkus-junit reads the test configuration once when the JUnit launcher opens, in a
     * class loader no application runs in. Servers started then would serve nobody and run until the JVM ends, beside
     * the ones the first application starts for itself (about 10 s of start-up in every test JVM).
     */
    private static boolean isReadForNoApplication() {
        return StackWalker.getInstance().walk(frames -> frames.anyMatch(
                frame -> NO_APPLICATION_READERS.contains(frame.getClassName())));
    }

    private static boolean isAbsent(ConfigSourceContext context, String name) {
        ConfigValue value = context.getValue(name);
        return value == null || value.getValue() == null || value.getValue().isBlank();
    }

    private static String required(ConfigSourceContext context, String name) {
        String value = value(context, name, null);
        if (value == null) {
            throw new IllegalStateException(name + " must be set (application.properties sets it)");
        }
        return value;
    }

    private static String value(ConfigSourceContext context, String name, String defaultValue) {
        ConfigValue value = context.getValue(name);
        return value == null || value.getValue() == null ? defaultValue : value.getValue();
    }
}
