package dev.appliancesync.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
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
    private static TestPki pki;
    private static int httpsPort;

    /**
     * HTTPS as an operator configures it in production (the TLS registry's PEM key store, docs/configuration.md "HTTPS"), with a
     * certificate from a CA of the run's own that Node trusts: AWS Amplify speaks only https and wss.
     */
    @BeforeAll
    static void start() throws IOException {
        services = SharedServices.start();
        pki = TestPki.create(Path.of("target", "node-clients-pki"), "node-clients");
        TestPki.KeyPair tls = pki.serverForAddress("service", "127.0.0.1");
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            httpsPort = free.getLocalPort();
        }
        Map<String, String> properties = new LinkedHashMap<>(services.serviceProperties());
        properties.put("quarkus.http.ssl-port", String.valueOf(httpsPort));
        properties.put("quarkus.http.tls-configuration-name", "https");
        properties.put("quarkus.tls.https.key-store.pem.0.cert", tls.certificate().toAbsolutePath().toString());
        properties.put("quarkus.tls.https.key-store.pem.0.key", tls.privateKey().toAbsolutePath().toString());
        // Amplify's keep-alive test sees two ka within seconds, not minutes.
        properties.put("appliance-sync.appsync.keep-alive-interval", "1S");
        instance = ServiceInstance.create("node-clients", properties);
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
    void theGraphqlWsSubscriptionsTransportWsAndAmplifyClientsPassTheirSuite() throws Exception {
        assertThat(NodeTests.PROJECT.resolve("node_modules"))
                .as("npm ci in %s (the build's pre-integration-test does it)", NodeTests.PROJECT).isDirectory();
        Map<String, ClusterUser> users = new LinkedHashMap<>();
        users.put("operator", ClusterUser.of(services, "operator", List.of("admin")));
        users.put("owner", ClusterUser.of(services, "owner"));
        users.put("modern", ClusterUser.of(services, "graphql-ws"));
        users.put("legacy", ClusterUser.of(services, "legacy-ws"));
        users.put("amplify", ClusterUser.of(services, "amplify-guest"));
        users.get("owner").signIn(instance);
        NodeTests.run(instance, users, Map.of(
                "APPLIANCE_SYNC_HTTPS_URL", "https://127.0.0.1:" + httpsPort + "/graphql",
                "NODE_EXTRA_CA_CERTS", pki.caCertificate().toAbsolutePath().toString()), "node-clients.log");
    }
}
