package dev.appliancesync.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.vertx.core.json.JsonObject;

/**
 * The real third-party JavaScript clients against a real instance: src/test/node, run with Node's own test runner
 * ({@code node --test}). The build installs its packages ({@code npm ci}, pre-integration-test); this passes the
 * service's address and ready-made users' tokens in the environment.
 */
class NodeClientsIT {

    private static final Path PROJECT = Path.of("src", "test", "node");
    private static final Duration NODE_WAIT = Duration.ofMinutes(3);

    private static SharedServices services;
    private static ServiceInstance instance;

    @BeforeAll
    static void start() {
        services = SharedServices.start();
        instance = ServiceInstance.create("node-clients", services.serviceProperties());
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
    void theGraphqlWsAndSubscriptionsTransportWsClientsPassTheirSuite() throws Exception {
        assertThat(PROJECT.resolve("node_modules")).as("npm ci in %s (the build's pre-integration-test does it)", PROJECT)
                .isDirectory();
        Map<String, ClusterUser> users = new LinkedHashMap<>();
        users.put("operator", ClusterUser.of(services, "operator", List.of("admin")));
        users.put("owner", ClusterUser.of(services, "owner"));
        users.put("modern", ClusterUser.of(services, "graphql-ws"));
        users.put("legacy", ClusterUser.of(services, "legacy-ws"));
        users.get("owner").signIn(instance);
        JsonObject usersJson = new JsonObject();
        users.forEach((role, user) -> usersJson.put(role, new JsonObject().put("username", user.username())
                .put("email", user.email()).put("token", user.token())));

        Path output = Path.of("target", "node-clients.log").toAbsolutePath();
        ProcessBuilder node = new ProcessBuilder("node", "--test", "--test-reporter=spec")
                .directory(PROJECT.toFile()).redirectErrorStream(true).redirectOutput(output.toFile());
        node.environment().put("APPLIANCE_SYNC_URL", instance.graphqlWebSocket().toString());
        node.environment().put("APPLIANCE_SYNC_USERS", usersJson.encode());
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
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }
}
