package dev.appliancesync.benchmark;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;

/**
 * The Node.js peer (src/test/node/fanout-peer.mjs), a baseline beside {@link BareWebSocketServer}: one Node process,
 * graphql-js + graphql-ws 6 + ws, executing every subscriber's selection for every event with an access check per
 * delivery, as a Node team would build the service without storage. Started with {@code node --expose-gc} found on
 * PATH, fed over one WebSocket ({@code /control/feed}) and set up and measured through its HTTP control endpoints; {@link #close} ends it, and it also ends by itself when
 * this JVM goes (its standard input closes).
 */
final class NodePeer implements AutoCloseable {

    static final Path PROJECT = Path.of("src", "test", "node");
    private static final String SCRIPT = "fanout-peer.mjs";
    private static final Duration BOUND = Duration.ofSeconds(30);

    private final Process process;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final URI base;
    /** The feed: states go over one WebSocket, far cheaper for the peer than an HTTP request each. */
    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    private final WebSocket feed;
    private final AtomicInteger published = new AtomicInteger();
    private final Map<Integer, CompletableFuture<Integer>> offered = new ConcurrentHashMap<>();

    private NodePeer(Process process, int port) throws Exception {
        this.process = process;
        this.base = URI.create("http://127.0.0.1:" + port);
        try {
            this.feed = vertx.createWebSocketClient().connect(port, "127.0.0.1", "/control/feed")
                    .toCompletionStage().toCompletableFuture().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            vertx.close();
            throw e;
        }
        feed.textMessageHandler(text -> {
            JsonObject reply = new JsonObject(text);
            offered.remove(reply.getInteger("id")).complete(reply.getInteger("offered"));
        });
    }

    /** Starts the peer and returns once it listens; fails with what to install when Node or its packages are absent. */
    static NodePeer start() throws Exception {
        Path node = onPath("node");
        if (!Files.isDirectory(PROJECT.resolve(Path.of("node_modules", "graphql-ws")))) {
            throw new IllegalStateException("The Node.js peer needs its packages: run `npm ci` in " + PROJECT
                    + " (./mvnw -Pbenchmarks does it before the tests)");
        }
        Process process = new ProcessBuilder(node.toString(), "--expose-gc", SCRIPT).directory(PROJECT.toFile())
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<Integer> listening = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (line.startsWith("LISTENING ")) {
                        return Integer.parseInt(line.substring("LISTENING ".length()).trim());
                    }
                    System.out.println("  [node peer] " + line);
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            throw new IllegalStateException("the Node.js peer ended before listening (exit " + process.exitValue() + ")");
        });
        try {
            int port = listening.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
            NodePeer peer = new NodePeer(process, port);
            Thread echo = new Thread(() -> out.lines().forEach(line -> System.out.println("  [node peer] " + line)),
                    "node-peer-output");
            echo.setDaemon(true);
            echo.start();
            return peer;
        } catch (Exception e) {
            process.destroyForcibly();
            throw e;
        }
    }

    private static Path onPath(String command) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .filter(dir -> !dir.isBlank()).map(dir -> Path.of(dir, command)).filter(Files::isExecutable)
                .findFirst().orElseThrow(() -> new IllegalStateException("The Node.js peer needs `" + command
                        + "` (Node.js 20 or newer) on PATH; none in " + System.getenv("PATH")));
    }

    /** The URI to give a {@link GraphQLClients}. */
    URI graphql() {
        return base.resolve("/graphql");
    }

    /** Merges {@code {"tokens": {token: user}, "grants": {user: {applianceId: role or null}}}} into its maps. */
    void access(JsonObject access) throws Exception {
        call("/control/access", access).get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Offers an appliance state to every subscription that may see it; completes with how many it was offered to. */
    CompletableFuture<Integer> publish(JsonObject state) {
        int id = published.incrementAndGet();
        CompletableFuture<Integer> reply = new CompletableFuture<>();
        offered.put(id, reply);
        feed.writeTextMessage(new JsonObject().put("id", id).put("state", state).encode());
        return reply.orTimeout(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The peer process's CPU time (user + system, all its threads), in nanoseconds. */
    long cpuNanos() throws Exception {
        JsonObject cpu = get("/control/cpu");
        return (cpu.getLong("userMicros") + cpu.getLong("systemMicros")) * 1000;
    }

    /** {@code process.memoryUsage()} after full GCs: heapUsed, external (includes arrayBuffers), rss, in bytes. */
    JsonObject memory() throws Exception {
        return get("/control/memory");
    }

    /** Subscriptions the peer holds. */
    long subscriptions() throws Exception {
        return get("/control/stats").getLong("subscriptions");
    }

    private JsonObject get(String path) throws Exception {
        return call(path, null).get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }

    private CompletableFuture<JsonObject> call(String path, JsonObject body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(BOUND);
        if (body != null) {
            request.POST(HttpRequest.BodyPublishers.ofString(body.encode()));
        }
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
            if (response.statusCode() != 200) {
                throw new IllegalStateException("Node.js peer " + path + ": " + response.statusCode() + " "
                        + response.body());
            }
            return new JsonObject(response.body());
        });
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        process.getOutputStream().close();
        if (!process.waitFor(BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        }
        http.close();
    }
}
