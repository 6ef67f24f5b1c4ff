package dev.appliancesync.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Debian's mosquitto ({@code /usr/sbin/mosquitto}) as a process of its own, on a free loopback port, anonymous, by
 * default without persistence: a second, independent MQTT broker besides the embedded HiveMQ. {@link #startTls} gives
 * it a TLS listener that requires client certificates instead (mutual TLS, as IoT Core); {@link #startPersistent} one
 * that keeps persistent sessions and their queued QoS 1 messages across a {@link #restart()}, as IoT Core keeps them.
 * Unlike HiveMQ it lets clients publish to {@code $aws/...}, so the production topic names can be used as they are. A
 * mosquitto the package may have started as a system service is not used.
 * <p>
 * Its log (connections and every subscription) goes to {@code target/mosquitto-<port>.log}, but mosquitto buffers its
 * standard output, so the file fills when it stops: do not wait on it. ({@code log_dest file} is no way out: started
 * as root, mosquitto drops to user {@code mosquitto} and then cannot open a log file under {@code target}.)
 */
public final class MosquittoBroker implements AutoCloseable {

    /** Debian's path; {@code -Dappliance-sync.it.mosquitto=...} names another. */
    public static final Path EXECUTABLE = Path.of(System.getProperty("appliance-sync.it.mosquitto",
            "/usr/sbin/mosquitto"));
    public static final String INSTALL = "apt-get update && apt-get install -y --no-install-recommends mosquitto";
    private static final Duration START_WAIT = Duration.ofSeconds(15);
    private static final Duration STOP_WAIT = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(50);
    private static final Path TARGET = Path.of(System.getProperty("appliance-sync.it.target-dir", "target"));

    /**
     * The prod profile's subscriptions to IoT Core's reserved topics (application.properties), which
     * {@link #serviceProperties} has an instance make plainly: mosquitto 2.0 never delivers a message on a {@code $}
     * topic to a shared subscription (see MosquittoIT).
     */
    public static final List<String> AWS_FILTERS = List.of("$aws/things/+/shadow/update/documents",
            "$aws/things/+/shadow/name/+/update/documents", "$aws/events/presence/connected/+",
            "$aws/events/presence/disconnected/+");

    /**
     * Messages queued at most per persistent session while its client is away (mosquitto's default of 1000 drops the
     * rest silently); the embedded broker's limit (application.properties' max-queued-messages).
     */
    private static final int MAX_QUEUED_MESSAGES = 100_000;
    /** QoS 1 messages sent to one client and not acknowledged yet, at most: IoT Core's limit. */
    private static final int MAX_INFLIGHT_MESSAGES = 100;

    private final int port;
    private final Path config;
    private final Path logFile;
    private Process process;

    /**
     * The TLS listener's files (PEM): the CA whose certificates clients must present (and that signed the server's),
     * and the server's certificate and key.
     */
    public record Tls(Path caCertificate, Path serverCertificate, Path serverKey) {
    }

    private MosquittoBroker(Tls tls, boolean persistent) {
        if (!Files.isExecutable(EXECUTABLE)) {
            throw new IllegalStateException("Debian's mosquitto broker is not installed (no " + EXECUTABLE
                    + "); MosquittoIT needs it. Install it with: " + INSTALL + " (as root; .ci/run does this)");
        }
        port = StablePorts.next();
        config = TARGET.resolve("mosquitto-" + port + ".conf");
        logFile = TARGET.resolve("mosquitto-" + port + ".log");
        Path data = TARGET.resolve("mosquitto-" + port + "-data");
        try {
            Files.createDirectories(TARGET);
            if (persistent) {
                Files.createDirectories(data);
            }
            Files.writeString(config, String.join("\n", List.of(
                    "# Written by MosquittoBroker for one test run",
                    "listener " + port + " 127.0.0.1",
                    "allow_anonymous true",
                    tls == null ? "" : String.join("\n",
                            "cafile " + tls.caCertificate().toAbsolutePath(),
                            "certfile " + tls.serverCertificate().toAbsolutePath(),
                            "keyfile " + tls.serverKey().toAbsolutePath(),
                            // Mutual TLS, as IoT Core: no client certificate signed by the CA, no connection.
                            "require_certificate true",
                            "use_identity_as_username true"),
                    persistent ? String.join("\n",
                            "persistence true",
                            // Written when it stops (SIGTERM) and read when it starts again.
                            "persistence_location " + data.toAbsolutePath() + "/",
                            "persistence_file mosquitto.db",
                            // Started as root it would drop to user mosquitto, who cannot write under target.
                            "user root",
                            "max_queued_messages " + MAX_QUEUED_MESSAGES,
                            "max_inflight_messages " + MAX_INFLIGHT_MESSAGES)
                            : "persistence false",
                    "log_dest stdout",
                    "log_type error",
                    "log_type warning",
                    "log_type notice",
                    "log_type information",
                    "log_type subscribe",
                    "log_type unsubscribe",
                    "log_timestamp_format %Y-%m-%dT%H:%M:%S",
                    "")), StandardCharsets.UTF_8);
            Files.deleteIfExists(logFile);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start " + EXECUTABLE, e);
        }
        launch();
    }

    /** Starts the process with the config file (its log appended to the file) and waits until it listens. */
    private void launch() {
        try {
            process = new ProcessBuilder(EXECUTABLE.toString(), "-c", config.toAbsolutePath().toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start " + EXECUTABLE, e);
        }
        try {
            awaitListening();
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        }
    }

    /**
     * Starts it again after {@link #close()}, on the same port with the same configuration: clients reconnect to the
     * address they had. Without persistence it comes back empty (no sessions, no retained messages).
     */
    public synchronized void startAgain() {
        if (process.isAlive()) {
            throw new IllegalStateException("mosquitto (pid " + process.pid() + ") on port " + port + " did not stop");
        }
        launch();
    }

    /** Starts mosquitto and waits until it accepts connections; fails naming the install command if it is absent. */
    public static MosquittoBroker start() {
        return new MosquittoBroker(null, false);
    }

    /**
     * The same keeping persistent sessions (clean session false) across a {@link #restart()}: their subscriptions and
     * queued QoS 1 messages go to a persistence file under the target directory when it stops. Up to 100,000 messages
     * are queued per session, and at most 100 sent to a client without its acknowledgement (IoT Core's limit).
     */
    public static MosquittoBroker startPersistent() {
        return new MosquittoBroker(null, true);
    }

    /**
     * Stops mosquitto (SIGTERM: clients are disconnected, the persistence file written) and starts it again on the
     * same port with the same configuration; returns once it listens again.
     */
    public synchronized void restart() {
        close();
        startAgain();
    }

    /** The same with a TLS listener requiring client certificates (mutual TLS, as IoT Core's port 8883). */
    public static MosquittoBroker startTls(Tls tls) {
        return new MosquittoBroker(tls, false);
    }

    private void awaitListening() {
        Instant deadline = Instant.now().plus(START_WAIT);
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host(), port), 500);
                return;
            } catch (IOException notYet) {
                // poll again
            }
            if (!process.isAlive()) {
                throw new AssertionError("mosquitto exited with code " + process.exitValue() + ": " + log());
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("mosquitto was not listening on port " + port + " within " + START_WAIT
                        + ": " + log());
            }
            Lifecycle.exitsWithin(process, POLL);
        }
    }

    /**
     * What points a service instance (prod profile) at this broker and the shared services: their settings, with the
     * {@link #AWS_FILTERS} subscribed without {@code $share}.
     */
    public Map<String, String> serviceProperties(SharedServices services) {
        Map<String, String> properties = new LinkedHashMap<>(services.serviceProperties(host(), port));
        properties.put("appliance-sync.ingest.share-reserved-topics", "false");
        return properties;
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    /** What mosquitto has logged so far (written in blocks; all of it once stopped). */
    public String log() {
        try {
            return Files.readString(logFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log at " + logFile.toAbsolutePath() + ": " + e + ")";
        }
    }

    /** SIGTERM, then SIGKILL if it has not ended within a bound. */
    @Override
    public synchronized void close() {
        process.destroy();
        if (!Lifecycle.exitsWithin(process, STOP_WAIT)) {
            process.destroyForcibly();
            if (!Lifecycle.exitsWithin(process, STOP_WAIT)) {
                System.err.println("mosquitto (pid " + process.pid() + ") did not die within " + STOP_WAIT);
            }
        }
    }

}
