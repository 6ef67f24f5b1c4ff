package dev.appliancesync.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real third-party JavaScript clients against a real instance: src/test/node, run with Node's own test runner
 * ({@code node --test}). The build installs its packages ({@code npm ci}, pre-integration-test); this passes the
 * service's address and ready-made users' tokens in the environment.
 */
class NodeClientsIT {

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
        assertThat(NodeTests.PROJECT.resolve("node_modules"))
                .as("npm ci in %s (the build's pre-integration-test does it)", NodeTests.PROJECT).isDirectory();
        Map<String, ClusterUser> users = new LinkedHashMap<>();
        users.put("operator", ClusterUser.of(services, "operator", List.of("admin")));
        users.put("owner", ClusterUser.of(services, "owner"));
        users.put("modern", ClusterUser.of(services, "graphql-ws"));
        users.put("legacy", ClusterUser.of(services, "legacy-ws"));
        users.get("owner").signIn(instance);
        NodeTests.run(instance, users, Map.of(), "node-clients.log");
    }
}
