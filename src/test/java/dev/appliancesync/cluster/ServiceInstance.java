package dev.appliancesync.cluster;

import static io.restassured.RestAssured.given;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * One real service process: the packaged application ({@code java -jar target/quarkus-app/quarkus-run.jar}, or the
 * native executable in the native profile), configured only through system properties, as a deployment configures it
 * through the environment. Its output goes to {@code target/cluster-<name>.log} (appended across restarts); it keeps
 * its HTTP port and MQTT client id across a restart, as a redeployed instance behind a fixed address does.
 */
public final class ServiceInstance implements AutoCloseable {

    public static final Duration READY_WAIT = Duration.ofSeconds(90);
    public static final Duration STOP_WAIT = Duration.ofSeconds(30);
    private static final Duration KILL_WAIT = Duration.ofSeconds(10);
    private static final Duration POLL = Duration.ofMillis(250);
    /** How long {@link #readiness()} waits for an answer (a refused connection is null at once). */
    private static final Duration READINESS_ANSWER_WAIT = Duration.ofSeconds(10);
    private static final int LOG_TAIL_LINES = 80;
    private static final Path TARGET = Path.of(System.getProperty("appliance-sync.it.target-dir", "target"));
    /** Backstop for a test JVM that ends without @AfterAll (a failed start, an interrupted run). */
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();
    private static boolean cedarLibraryCopied;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly),
                "service-instance-reaper"));
    }

    private final String name;
    private final int port;
    /** The management interface's port (health and metrics), which the API's port does not serve. */
    private final int managementPort;
    private final Map<String, String> properties;
    /** The packaged application to run: this build's, or another release's (RollingDeployIT). */
    private final Path jar;
    /** Whether health and metrics are on the management port (releases before it served them on the API's). */
    private final boolean managementInterface;
    private final Path logFile;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;
    private int starts;

    private ServiceInstance(String name, Map<String, String> sharedProperties, Path jar, boolean managementInterface) {
        this.name = name;
        this.jar = jar;
        this.managementInterface = managementInterface;
        this.port = StablePorts.next();
        this.managementPort = StablePorts.next();
        this.logFile = TARGET.resolve("cluster-" + name + ".log");
        Map<String, String> all = new LinkedHashMap<>(sharedProperties);
        all.put("quarkus.http.host", "127.0.0.1");
        all.put("quarkus.http.port", String.valueOf(port));
        all.put("quarkus.management.host", "127.0.0.1");
        all.put("quarkus.management.port", String.valueOf(managementPort));
        all.put("mp.messaging.connector.smallrye-mqtt.client-id",
                "appliance-sync-it-" + name + "-" + UUID.randomUUID().toString().substring(0, 8));
        this.properties = Map.copyOf(all);
    }

    /** An instance not started yet: {@link #launch()} it, or use {@link #startAll}. */
    public static ServiceInstance create(String name, Map<String, String> sharedProperties) {
        return new ServiceInstance(name, sharedProperties, TARGET.resolve("quarkus-app").resolve("quarkus-run.jar"),
                true);
    }

    /**
     * The same, running another build's fast jar ({@code .../quarkus-app/quarkus-run.jar}), on the JVM always;
     * {@code managementInterface}: whether that build serves health and metrics on the management port, or (a
     * release before it) on the API's port.
     */
    public static ServiceInstance create(String name, Map<String, String> sharedProperties, Path jar,
            boolean managementInterface) {
        return new ServiceInstance(name, sharedProperties, jar, managementInterface);
    }

    /**
     * Runs the process to its end (a one-shot run, such as the migration job's {@code quarkus.init-and-exit}) and
     * returns its exit code; fails if it has not ended within {@code wait}.
     */
    public int runToExit(Duration wait) {
        launch();
        Process current = process;
        if (!Lifecycle.exitsWithin(current, wait)) {
            kill();
            throw failure(name + " did not end within " + wait);
        }
        LIVE.remove(current);
        appendToLog("=== %s: %s ended with code %d%n".formatted(Instant.now(), name, current.exitValue()));
        return current.exitValue();
    }

    /** Launches every instance at once, then waits until each is ready; on failure stops them all. */
    public static void startAll(ServiceInstance... instances) {
        try {
            for (ServiceInstance instance : instances) {
                instance.launch();
            }
            for (ServiceInstance instance : instances) {
                instance.awaitReady();
            }
        } catch (RuntimeException | Error e) {
            for (ServiceInstance instance : instances) {
                instance.close();
            }
            throw e;
        }
    }

    /** Starts the process and waits until it is ready. */
    public ServiceInstance start() {
        launch();
        awaitReady();
        return this;
    }

    /** Starts the process without waiting. */
    public synchronized void launch() {
        if (isRunning()) {
            throw new IllegalStateException(name + " is already running");
        }
        List<String> command = command();
        try {
            Files.createDirectories(TARGET);
            if (starts == 0) {
                Files.deleteIfExists(logFile);
            }
            Files.writeString(logFile, "=== %s: start %d of %s at %s%n".formatted(Instant.now(), starts + 1, name, url()),
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            if (runsNative()) {
                // As the native image's Dockerfile does: the executable cannot extract Cedar's library from its jar.
                builder.environment().put("CEDAR_JAVA_FFI_LIB", cedarLibrary().toAbsolutePath().toString());
            }
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start " + name + ": " + command, e);
        }
        LIVE.add(process);
        starts++;
    }

    private List<String> command() {
        List<String> command = new ArrayList<>();
        if (runsNative()) {
            // The native profile: failsafe passes the executable the build made.
            String nativeImage = System.getProperty("native.image.path");
            if (nativeImage == null || !Files.isExecutable(Path.of(nativeImage))) {
                throw new IllegalStateException("No native executable at " + nativeImage);
            }
            command.add(Path.of(nativeImage).toAbsolutePath().toString());
        } else {
            // The test JVM's own java, so the instances run on the JDK the build uses.
            command.add(ProcessHandle.current().info().command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            command.addAll(List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    // The service's own MQTT broker dependency probes the OS through JNA (see the pom).
                    "--enable-native-access=ALL-UNNAMED"));
        }
        properties.forEach((key, value) -> command.add("-D" + key + "=" + value));
        if (!runsNative()) {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(jar.toAbsolutePath() + " is missing: run ./mvnw verify (package builds it)");
            }
            command.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
        }
        return command;
    }

    /**
     * Cedar's native library for this machine, out of the cedar-java jar on this JVM's class path (the one the
     * executable was built with), into the target directory once per test JVM. Written beside it and moved into
     * place, since two IT JVMs run at once: a native instance of one never loads the other's half-written copy.
     */
    private static synchronized Path cedarLibrary() throws IOException {
        String arch = switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> throw new IllegalStateException("cedar-java has no Linux library for " + System.getProperty("os.arch"));
        };
        String resource = "jne/linux/" + arch + "/libcedar_java_ffi.so";
        Path file = TARGET.resolve("libcedar_java_ffi.so");
        if (!cedarLibraryCopied) {
            try (InputStream in = ServiceInstance.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException(resource + " is not on the class path (cedar-java's uber jar)");
                }
                Path copy = Files.createTempFile(TARGET, "libcedar_java_ffi-", ".so");
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
                Files.move(copy, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            cedarLibraryCopied = true;
        }
        return file;
    }

    /** Waits at most {@link #READY_WAIT} for GET /q/health/ready to answer 200; fails with the log's tail. */
    public void awaitReady() {
        Instant deadline = Instant.now().plus(READY_WAIT);
        Process current = process;
        while (!isReady()) {
            if (!current.isAlive()) {
                throw failure(name + " exited with code " + current.exitValue() + " before it was ready");
            }
            if (Instant.now().isAfter(deadline)) {
                throw failure(name + " was not ready within " + READY_WAIT);
            }
            try {
                // Waits for the next poll, or less if the process ends first.
                current.onExit().get(POLL.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException expected) {
                // still running: poll again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure("Interrupted while waiting for " + name);
            } catch (ExecutionException e) {
                throw failure(name + ": " + e.getCause());
            }
        }
    }

    private boolean isReady() {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(managementUrl() + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(2)).GET().build();
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * GET /q/health/ready as "status body" (e.g. "503 {...}"), or null while the instance does not answer HTTP.
     * Waits up to {@link #READINESS_ANSWER_WAIT} for the answer: on a busy machine the checks take over 2 s.
     */
    public String readiness() {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(managementUrl() + "/q/health/ready"))
                    .timeout(READINESS_ANSWER_WAIT).GET().build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() + " " + response.body();
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Stops the process the way an orchestrator does (SIGTERM, then SIGKILL after {@link #STOP_WAIT}). */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!Lifecycle.exitsWithin(process, STOP_WAIT)) {
            appendToLog("=== %s: %s did not stop within %s, killing it%n".formatted(Instant.now(), name, STOP_WAIT));
            kill();
            return;
        }
        LIVE.remove(process);
        appendToLog("=== %s: %s stopped with code %d%n".formatted(Instant.now(), name, process.exitValue()));
    }

    /** Kills the process at once (SIGKILL), as a crash or an OOM kill would. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        if (!Lifecycle.exitsWithin(process, KILL_WAIT)) {
            throw new IllegalStateException(name + " (pid " + process.pid() + ") did not die within " + KILL_WAIT);
        }
        LIVE.remove(process);
    }

    /** Stops, starts again with the same port and settings, and waits until ready. */
    public void restart() {
        stop();
        start();
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    public String name() {
        return name;
    }

    /** http://127.0.0.1:port */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Where this instance serves health (/q/health/*) and metrics (/q/metrics): the management port. */
    public String managementUrl() {
        return "http://127.0.0.1:" + (managementInterface ? managementPort : port);
    }

    /** ws://127.0.0.1:port/graphql */
    public URI graphqlWebSocket() {
        return URI.create("ws://127.0.0.1:" + port + "/graphql");
    }

    public Path logFile() {
        return logFile;
    }

    /**
     * Waits until this start of the instance has logged that its MQTT subscription to {@code topicFilter} succeeded
     * (the broker's SUBACK): ready only means connected, and a message published before the subscription is in place
     * goes to nobody.
     */
    public void awaitSubscribed(String topicFilter, Duration wait) {
        awaitLogged("MQTT subscription granted: " + topicFilter + " (", "its subscription to " + topicFilter, wait);
    }

    /**
     * Waits at most {@code wait} until this start of the instance has logged a line containing {@code text}; fails
     * with the log's tail, naming {@code what} was awaited.
     */
    public void awaitLogged(String text, String what, Duration wait) {
        Instant deadline = Instant.now().plus(wait);
        while (true) {
            List<String> lines;
            try {
                lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            } catch (IOException e) {
                lines = List.of();
            }
            int thisStart = 0;
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).startsWith("=== ") && lines.get(i).contains(": start ")) {
                    thisStart = i;
                }
            }
            if (lines.subList(thisStart, lines.size()).stream().anyMatch(line -> line.contains(text))) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw failure(name + " did not log " + what + " within " + wait);
            }
            try {
                process.onExit().get(POLL.toMillis(), TimeUnit.MILLISECONDS);
                throw failure(name + " exited while waiting for " + what);
            } catch (TimeoutException expected) {
                // still running: look again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure("Interrupted while waiting for " + name);
            } catch (ExecutionException e) {
                throw failure(name + ": " + e.getCause());
            }
        }
    }

    /** GraphQL over HTTP to this instance, as an app sends it. */
    public Response graphql(String token, String query, Map<String, Object> variables) {
        RequestSpecification request = given().baseUri(url()).contentType(ContentType.JSON)
                .body(Map.of("query", query, "variables", variables));
        if (token != null) {
            request = request.header("Authorization", "Bearer " + token);
        }
        return request.when().post("/graphql");
    }

    /**
     * The value of a Prometheus counter from {@code GET /q/metrics}, e.g. {@code appliance_sync_ingest_messages_total}
     * (summed over its tags); fails if the instance does not report it at all, so a renamed metric cannot read as 0.
     */
    public double counter(String prometheusName) {
        String metrics = given().baseUri(managementUrl()).when().get("/q/metrics").then().statusCode(200).extract()
                .asString();
        double sum = 0;
        boolean found = false;
        for (String line : metrics.split("\\R")) {
            if (line.startsWith(prometheusName + " ") || line.startsWith(prometheusName + "{")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        if (!found) {
            throw new AssertionError(name + " reports no " + prometheusName + " at " + managementUrl() + "/q/metrics");
        }
        return sum;
    }

    /** The last lines of this instance's log, to put into a failure message. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join(System.lineSeparator(), lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES),
                    lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log at " + logFile.toAbsolutePath() + ": " + e + ")";
        }
    }

    private AssertionError failure(String message) {
        String text = message + "; last lines of " + logFile.toAbsolutePath() + ":" + System.lineSeparator()
                + logTail();
        System.err.println(text);
        return new AssertionError(text);
    }

    private void appendToLog(String line) {
        try {
            Files.writeString(logFile, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the log is a help, not the test
        }
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (RuntimeException e) {
            System.err.println("Could not stop " + name + ": " + e);
        }
    }

    /** The native profile runs this build's executable; another build's jar runs on the JVM. */
    private boolean runsNative() {
        return Boolean.getBoolean("appliance-sync.it.native")
                && jar.equals(TARGET.resolve("quarkus-app").resolve("quarkus-run.jar"));
    }
}
