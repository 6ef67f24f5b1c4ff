package dev.appliancesync.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.appliancesync.support.MqttDevice;
import io.vertx.core.json.JsonObject;

/**
 * The production link to IoT Core, mutual TLS, against mosquitto with a TLS listener that requires client
 * certificates. The instance is configured only as docs/configuration.md tells an operator to ({@code appliance-sync.iot.*} and
 * the host and port): the certificates come from a CA made with openssl for this run, the broker's for
 * {@code localhost}, so the connector's hostname verification and SNI see a real name. The instance's key is PKCS#1
 * (what IoT Core hands out), the test device's PKCS#8.
 */
class MosquittoTlsIT {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Path PKI = Path.of(System.getProperty("appliance-sync.it.target-dir", "target"), "mqtt-tls");
    private static final String EVENTS_FILTER = "$share/appliance-sync/appliances/+/events";

    private static TestPki ca;
    private static TestPki.KeyPair device;
    private static MosquittoBroker mosquitto;
    private static SharedServices services;
    private static ServiceInstance instance;
    private static ClusterUser operator;

    @BeforeAll
    static void start() {
        ca = TestPki.create(PKI, "broker");
        TestPki.KeyPair server = ca.server("mosquitto", "localhost");
        TestPki.KeyPair service = ca.client("service", "appliance-sync-it");
        device = ca.client("device", "device-it");
        mosquitto = MosquittoBroker.startTls(new MosquittoBroker.Tls(ca.caCertificate(), server.certificate(),
                server.privateKey()));
        services = SharedServices.startWithoutBroker();
        instance = ServiceInstance.create("mosquitto-tls", iotCoreSettings(service.certificate(),
                ca.pkcs1(service.privateKey()), ca.caCertificate()));
        instance.start();
        instance.awaitSubscribed(EVENTS_FILTER, WAIT);
        operator = ClusterUser.of(services, "operator", List.of("admin"));
    }

    /** The database and issuer, and what the "AWS IoT Core" table of docs/configuration.md has an operator set: nothing else. */
    private static Map<String, String> iotCoreSettings(Path certificate, Path privateKey, Path rootCa) {
        Map<String, String> properties = new LinkedHashMap<>(services.serviceProperties("localhost", mosquitto.port()));
        properties.put("appliance-sync.iot.tls", "true");
        properties.put("appliance-sync.iot.certificate-file", certificate.toAbsolutePath().toString());
        properties.put("appliance-sync.iot.private-key-file", privateKey.toAbsolutePath().toString());
        properties.put("appliance-sync.iot.root-ca-file", rootCa.toAbsolutePath().toString());
        return properties;
    }

    @AfterAll
    static void stop() {
        Lifecycle.closeAll(instance, services, mosquitto);
    }

    @Test
    void anEventPublishedOverMutualTlsIsApplied() throws Exception {
        String serial = "TLS-" + UUID.randomUUID().toString().substring(0, 8);
        JsonObject provisioned = new JsonObject(operator.data(instance, """
                mutation($s: String!) { provisionAppliance(serialNumber: $s, type: MINI_OVEN, claimCode: "mosquitto-claim-code") {
                  id thingName } }""", Map.of("s", serial)).body().asString())
                .getJsonObject("data").getJsonObject("provisionAppliance");
        UUID applianceId = UUID.fromString(provisioned.getString("id"));
        String thing = provisioned.getString("thingName");

        try (MqttDevice client = MqttDevice.connectTls("localhost", mosquitto.port(), device.certificate(),
                device.privateKey(), ca.caCertificate())) {
            client.publish("appliances/" + thing + "/events", new JsonObject().put("eventId", "tls-1")
                    .put("type", "DOOR_LEFT_OPEN").put("occurredAt", Instant.now().toString())
                    .put("details", new JsonObject().put("seconds", 42)).encode());
        }

        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> assertThat(strings(
                "select event_id || ' ' || event_type || ' ' || (payload ->> 'seconds') from device_event "
                        + "where appliance_id = ?", applianceId)).containsExactly("tls-1 DOOR_LEFT_OPEN 42"));
    }

    /**
     * The broker really requires a client certificate, so the instance's connection proves it presented one. (With
     * TLS 1.3 the client sees its handshake complete; the broker then closes the connection before CONNACK, logging
     * "peer did not return a certificate".)
     */
    @Test
    void aClientWithoutCertificateIsRefused() {
        assertThatThrownBy(() -> MqttDevice.connectTls("localhost", mosquitto.port(), null, null, ca.caCertificate())
                .close()).isInstanceOf(Exception.class);
    }

    /**
     * An instance that trusts another root CA than the one that signed the broker's certificate never connects: its
     * handshake fails (logged) and it stays not ready. Its key is PKCS#8, which the connector loads as well.
     */
    @Test
    void anInstanceTrustingAnotherRootCaDoesNotConnect() {
        TestPki otherCa = TestPki.create(PKI, "other");
        TestPki.KeyPair service = ca.client("service-2", "appliance-sync-it-2");
        try (ServiceInstance wrong = ServiceInstance.create("mosquitto-tls-wrong-ca",
                iotCoreSettings(service.certificate(), service.privateKey(), otherCa.caCertificate()))) {
            wrong.launch();
            wrong.awaitLogged("unable to find valid certification path", "the TLS handshake's failure", WAIT.multipliedBy(3));
            assertThat(wrong.readiness()).as("readiness").startsWith("503 ").contains("DOWN");
        }
    }

    /** The first column of every row, as text. */
    private static List<String> strings(String sql, Object... parameters) throws SQLException {
        try (Connection connection = services.database(); PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            List<String> values = new ArrayList<>();
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    values.add(result.getString(1));
                }
            }
            return values;
        }
    }
}
