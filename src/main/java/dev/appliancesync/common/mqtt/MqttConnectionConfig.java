package dev.appliancesync.common.mqtt;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * The service's one MQTT connection (IoT Core in production). The keys are the ones the SmallRye MQTT connector read
 * ({@code mp.messaging.connector.smallrye-mqtt.*}), which the service used before it had a client of its own, so that
 * deployments, docs/configuration.md and the embedded broker's settings carry on unchanged.
 */
@ConfigMapping(prefix = "mp.messaging.connector.smallrye-mqtt")
public interface MqttConnectionConfig {

    String host();

    @WithDefault("1883")
    int port();

    /** Stable per instance in production, so that its persistent session survives restarts. */
    String clientId();

    /**
     * Clean session: true starts afresh on every connection; false keeps the session (subscriptions and the QoS 1
     * messages not yet acknowledged) across reconnects and restarts, for as long as the broker keeps it.
     */
    @WithDefault("true")
    boolean autoCleanSession();

    /** Larger messages are refused by the client (the connection fails); above IoT Core's 128 KB. */
    @WithDefault("8192")
    int maxMessageSize();

    Optional<String> username();

    Optional<String> password();

    /** TLS server name (SNI); IoT Core routes by it. */
    Optional<String> serverName();

    @WithName("ssl")
    @WithDefault("false")
    boolean ssl();

    /** The client's certificate (location) and private key ({@code password}: a PEM key's path, as the connector took it). */
    @WithName("ssl.keystore")
    Store keystore();

    /** The CA certificates the broker's certificate must chain to. */
    @WithName("ssl.truststore")
    Store truststore();

    /** {@code HTTPS} checks the broker's certificate names the host; empty checks nothing. */
    @WithName("ssl.hostname-verification-algorithm")
    Optional<String> hostnameVerificationAlgorithm();

    /** The first wait before reconnecting after the connection was lost or refused; it doubles up to the maximum. */
    @WithDefault("500MS")
    Duration reconnectDelay();

    @WithDefault("30S")
    Duration reconnectMaxDelay();

    /** How long a QoS 1 publish waits for the broker's PUBACK before it fails. */
    @WithDefault("30S")
    Duration publishAckTimeout();

    /** QoS 1 publishes waiting for their PUBACK at once, at most; more fail at once (the caller retries). */
    @WithDefault("100")
    int maxInflightPublishes();

    interface Store {
        /** {@code pem} (the only kind IoT Core hands out), {@code jks} or {@code pkcs12}. */
        @WithDefault("pem")
        String type();

        Optional<String> location();

        Optional<String> password();
    }
}
