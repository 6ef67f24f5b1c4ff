package dev.appliancesync.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.vertx.core.json.JsonObject;

/**
 * Runs Node's test runner on src/test/node against an instance: its address and ready-made users (role → username,
 * email, token) go in the environment, the report to a log file under target/ and to the output. Fails when the run
 * does not finish in time or fails, with the service's log tail.
 */
final class NodeTests {

    static final Path PROJECT = Path.of("src", "test", "node");
    private static final Duration WAIT = Duration.ofMinutes(3);

    private NodeTests() {
    }

    /** @param files the test files; none: Node's default (every {@code *.test.mjs}) */
    static void run(ServiceInstance instance, Map<String, ClusterUser> users, Map<String, String> environment,
            String logName, String... files) throws Exception {
        JsonObject usersJson = new JsonObject();
        users.forEach((role, user) -> usersJson.put(role, new JsonObject().put("username", user.username())
                .put("email", user.email()).put("token", user.token())));
        Path output = Path.of("target", logName).toAbsolutePath();
        List<String> command = new ArrayList<>(List.of("node", "--test", "--test-reporter=spec"));
        command.addAll(List.of(files));
        ProcessBuilder node = new ProcessBuilder(command)
                .directory(PROJECT.toFile()).redirectErrorStream(true).redirectOutput(output.toFile());
        node.environment().put("APPLIANCE_SYNC_URL", instance.graphqlWebSocket().toString());
        node.environment().put("APPLIANCE_SYNC_USERS", usersJson.encode());
        node.environment().put("NO_COLOR", "1");
        node.environment().putAll(environment);
        Process process = node.start();
        boolean finished = process.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        String report = read(output);
        System.out.println(report);
        assertThat(finished).as("node --test finished within %s:%n%s", WAIT, report).isTrue();
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
