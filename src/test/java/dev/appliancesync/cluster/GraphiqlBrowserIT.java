package dev.appliancesync.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * GraphiQL at {@code /q/graphql-ui} of a packaged instance, in headless Chromium: src/test/node/graphiql.browser.mjs,
 * driven by playwright-core (installed by the build's {@code npm ci}) with Debian's {@code /usr/bin/chromium}
 * ({@code .ci/run} installs it when missing). The test sets a token in GraphiQL's Headers editor, runs a query, starts
 * a subscription, renames an appliance over HTTP and sees the change on screen; it saves target/graphiql.png
 * (target/graphiql-failure.png when it fails, and target/graphiql-browser.log in any case).
 */
class GraphiqlBrowserIT {

    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM_PATH", "/usr/bin/chromium"));

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
        assertThat(NodeTests.PROJECT.resolve("node_modules/playwright-core"))
                .as("npm ci in %s (the build's pre-integration-test does it)", NodeTests.PROJECT).isDirectory();
        assertThat(Files.isExecutable(CHROMIUM)).as("%s (Debian's chromium: apt-get install -y chromium; .ci/run does it)",
                CHROMIUM).isTrue();
        ClusterUser operator = ClusterUser.of(services, "operator", List.of("admin"));
        ClusterUser owner = ClusterUser.of(services, "graphiql");
        Path screenshot = Path.of("target", "graphiql.png").toAbsolutePath();
        Files.deleteIfExists(screenshot);
        Files.deleteIfExists(screenshot.resolveSibling("graphiql-failure.png"));
        NodeTests.run(instance, Map.of("operator", operator, "owner", owner),
                Map.of("APPLIANCE_SYNC_SCREENSHOT", screenshot.toString(), "CHROMIUM_PATH", CHROMIUM.toString()),
                "graphiql-browser.log", "graphiql.browser.mjs");
        assertThat(screenshot).as("the screenshot").isRegularFile();
        assertThat(Files.size(screenshot)).as("the screenshot's size").isGreaterThan(10_000);
    }
}
