package dev.appliancesync.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.vertx.core.json.JsonObject;

/**
 * GraphiQL at {@code /q/graphql-ui} of a packaged instance, in headless Chromium: src/test/node/graphiql.browser.mjs,
 * driven by playwright-core (installed by the build's {@code npm ci}) with Debian's {@code /usr/bin/chromium}
 * ({@code .ci/run} installs it when missing). The test sets a token in GraphiQL's Headers editor, runs a query, starts
 * a subscription, renames an appliance over HTTP and sees the change on screen; it saves target/graphiql.png
 * (target/graphiql-failure.png when it fails, and target/graphiql-browser.log in any case).
 */
class GraphiqlBrowserIT {

    private static final Path PROJECT = Path.of("src", "test", "node");
    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM_PATH", "/usr/bin/chromium"));
    private static final Duration NODE_WAIT = Duration.ofMinutes(3);

    private static SharedServices services;
    private static ServiceInstance instance;

    @BeforeAll
    static void start() {
        services = SharedServices.start();
        instance = ServiceInstance.create("graphiql-browser", services.serviceProperties());
        instance.start();
    }

    @AfterAll
    static void stop() {
        if (instance != null) {
            instance.close();
        }
        if (services != null) {
            services.close();
        }
    }

    @Test
    void graphiqlRunsAQueryAndShowsASubscriptionsChangeInChromium() throws Exception {
        assertThat(PROJECT.resolve("node_modules/playwright-core"))
                .as("npm ci in %s (the build's pre-integration-test does it)", PROJECT).isDirectory();
        assertThat(Files.isExecutable(CHROMIUM)).as("%s (Debian's chromium: apt-get install -y chromium; .ci/run does it)",
                CHROMIUM).isTrue();
        ClusterUser operator = ClusterUser.of(services, "operator", List.of("admin"));
        ClusterUser owner = ClusterUser.of(services, "graphiql");
        JsonObject users = new JsonObject()
                .put("operator", user(operator))
                .put("owner", user(owner));

        Path screenshot = Path.of("target", "graphiql.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        Files.deleteIfExists(screenshot.resolveSibling("graphiql-failure.png"));
        Path output = Path.of("target", "graphiql-browser.log").toAbsolutePath();
        ProcessBuilder node = new ProcessBuilder("node", "--test", "--test-reporter=spec", "graphiql.browser.mjs")
                .directory(PROJECT.toFile()).redirectErrorStream(true).redirectOutput(output.toFile());
        node.environment().put("APPLIANCE_SYNC_URL", instance.graphqlWebSocket().toString());
        node.environment().put("APPLIANCE_SYNC_USERS", users.encode());
        node.environment().put("APPLIANCE_SYNC_SCREENSHOT", screenshot.toString());
        node.environment().put("CHROMIUM_PATH", CHROMIUM.toString());
        node.environment().put("NO_COLOR", "1");
        Process process = node.start();
        boolean finished = process.waitFor(NODE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        String report = read(output);
        System.out.println(report);
        assertThat(finished).as("node --test finished within %s:%n%s", NODE_WAIT, report).isTrue();
        assertThat(process.exitValue()).as("node --test exit code:%n%s%nservice log tail:%n%s", report,
                instance.logTail()).isZero();
        assertThat(screenshot).as("the screenshot").isRegularFile();
        assertThat(Files.size(screenshot)).as("the screenshot's size").isGreaterThan(10_000);
    }

    private static JsonObject user(ClusterUser user) {
        return new JsonObject().put("username", user.username()).put("email", user.email()).put("token", user.token());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }
}
