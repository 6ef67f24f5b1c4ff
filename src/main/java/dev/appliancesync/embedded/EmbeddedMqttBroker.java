package dev.appliancesync.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jboss.logging.Logger;

import com.hivemq.embedded.EmbeddedHiveMQ;

/**
 * A real MQTT 5 / 3.1.1 broker (HiveMQ Community Edition) in this JVM, listening on loopback only.
 * It keeps sessions in memory: it stands in for AWS IoT Core, whose sessions we do not control either.
 */
public final class EmbeddedMqttBroker implements EmbeddedServer {

    private static final Logger LOG = Logger.getLogger(EmbeddedMqttBroker.class);
    private static final long STOP_TIMEOUT_SECONDS = 10;

    private final EmbeddedHiveMQ hivemq;
    private final int port;
    private final Path workDirectory;

    private EmbeddedMqttBroker(EmbeddedHiveMQ hivemq, int port, Path workDirectory) {
        this.hivemq = hivemq;
        this.port = port;
        this.workDirectory = workDirectory;
    }

    /**
     * @param preferredPort the port to use when free, 0 for any free port
     * @param maxQueuedMessages how many messages the broker holds for one session (or shared subscription) that has
     *        not taken them yet before it discards new ones
     * @param maxInflightMessages how many QoS 1 messages it sends a client before their acknowledgements
     */
    static EmbeddedMqttBroker start(int preferredPort, int maxPacketSizeBytes, int maxQueuedMessages,
            int maxInflightMessages) {
        int port = FreePort.preferredOrFree(preferredPort);
        // Not in config.xml: an internal setting of HiveMQ's (50 by default), one for the JVM. It sends a shared
        // subscription's next messages only once every message in flight to that client is acknowledged, and the
        // service acknowledges a message once its batch has committed: with 50, ingestion ran at 256 msg/s, idle
        // between bursts (IngestionBenchmark).
        com.hivemq.configuration.service.InternalConfigurations.MAX_INFLIGHT_WINDOW_SIZE_MESSAGES = maxInflightMessages;
        // Also internal, also one for the JVM: at stop HiveMQ waits this long (2 s by default) for writes to its
        // persistence to finish. Ours is in memory and thrown away at stop, so there is nothing to wait for; the wait
        // was half of every stop (a dev-mode restart, each test profile's restart).
        com.hivemq.configuration.service.InternalConfigurations.PERSISTENCE_SHUTDOWN_GRACE_PERIOD_MSEC.set(0);
        try {
            Path work = Files.createTempDirectory("appliance-sync-mqtt-");
            Path config = Files.createDirectories(work.resolve("conf"));
            Files.writeString(config.resolve("config.xml"), configXml(port, maxPacketSizeBytes, maxQueuedMessages));
            EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder()
                    .withConfigurationFolder(config)
                    .withDataFolder(Files.createDirectories(work.resolve("data")))
                    .withExtensionsFolder(Files.createDirectories(work.resolve("extensions")))
                    // Quarkus owns logging; HiveMQ must not install its own logback configuration.
                    .withoutLoggingBootstrap()
                    .build();
            long started = System.nanoTime();
            hivemq.start().get(60, TimeUnit.SECONDS);
            EmbeddedMqttBroker broker = new EmbeddedMqttBroker(hivemq, port, work);
            LOG.infof("Embedded MQTT broker started in %d ms: %s", (System.nanoTime() - started) / 1_000_000,
                    broker.url());
            return broker;
        } catch (IOException e) {
            throw new UncheckedIOException("Embedded MQTT broker did not start", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Embedded MQTT broker did not start on port " + port, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while starting the embedded MQTT broker", e);
        }
    }

    private static String configXml(int port, int maxPacketSizeBytes, int maxQueuedMessages) {
        return """
                <?xml version="1.0"?>
                <hivemq>
                    <listeners>
                        <tcp-listener>
                            <port>%d</port>
                            <bind-address>127.0.0.1</bind-address>
                        </tcp-listener>
                    </listeners>
                    <mqtt>
                        <packets>
                            <max-packet-size>%d</max-packet-size>
                        </packets>
                        <queued-messages>
                            <max-queue-size>%d</max-queue-size>
                            <strategy>discard</strategy>
                        </queued-messages>
                    </mqtt>
                    <persistence>
                        <mode>in-memory</mode>
                    </persistence>
                    <anonymous-usage-statistics>
                        <enabled>false</enabled>
                    </anonymous-usage-statistics>
                </hivemq>
                """.formatted(port, maxPacketSizeBytes, maxQueuedMessages);
    }

    public String host() {
        return "localhost";
    }

    public int port() {
        return port;
    }

    public String url() {
        return "mqtt://" + host() + ":" + port;
    }

    @Override
    public String name() {
        return "MQTT broker";
    }

    @Override
    public void stop() {
        try {
            hivemq.stop().get(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            hivemq.close();
            deleteRecursively(workDirectory);
            LOG.infof("Embedded MQTT broker on port %d stopped", port);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Embedded MQTT broker did not stop cleanly", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path root) throws IOException {
        try (var paths = Files.walk(root)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
