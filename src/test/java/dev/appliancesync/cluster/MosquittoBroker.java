package dev.appliancesync.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Debian's mosquitto ({@code /usr/sbin/mosquitto}) as a process of its own, on a free loopback port, anonymous, without
 * persistence: a second, independent MQTT broker besides the embedded HiveMQ. {@link #startTls} gives it a TLS listener
 * that requires client certificates instead (mutual TLS, as IoT Core). Unlike HiveMQ it lets clients publish to
 * {@code $aws/...}, so the production topic names can be used as they are. A mosquitto the package may have started as
 * a system service is not used.
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

    private final int port;
    private final Path logFile;
    private final Path config;
    private Process process;

    /**
     * The TLS listener's files (PEM): the CA whose certificates clients must present (and that signed the server's),
     * and the server's certificate and key.
     */
    public record Tls(Path caCertificate, Path serverCertificate, Path serverKey) {
    }

    private MosquittoBroker(Tls tls) {
        if (!Files.isExecutable(EXECUTABLE)) {
            throw new IllegalStateException("Debian's mosquitto broker is not installed (no " + EXECUTABLE
                    + "); MosquittoIT needs it. Install it with: " + INSTALL + " (as root; .ci/run does this)");
        }
        port = freePort();
        config = TARGET.resolve("mosquitto-" + port + ".conf");
        logFile = TARGET.resolve("mosquitto-" + port + ".log");
        try {
            Files.createDirectories(TARGET);
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
                    "persistence false",
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

    /** Starts the process with this broker's configuration and waits until it accepts connections. */
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
    public void startAgain() {
        if (process.isAlive()) {
            throw new IllegalStateException("mosquitto on port " + port + " is still running");
        }
        launch();
    }

    /** Starts mosquitto and waits until it accepts connections; fails naming the install command if it is absent. */
    public static MosquittoBroker start() {
        return new MosquittoBroker(null);
    }

    /** The same with a TLS listener requiring client certificates (mutual TLS, as IoT Core's port 8883). */
    public static MosquittoBroker startTls(Tls tls) {
        return new MosquittoBroker(tls);
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
    public void close() {
        process.destroy();
        if (!Lifecycle.exitsWithin(process, STOP_WAIT)) {
            process.destroyForcibly();
            if (!Lifecycle.exitsWithin(process, STOP_WAIT)) {
                System.err.println("mosquitto (pid " + process.pid() + ") did not die within " + STOP_WAIT);
            }
        }
    }


    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port on the loopback interface", e);
        }
    }
}
