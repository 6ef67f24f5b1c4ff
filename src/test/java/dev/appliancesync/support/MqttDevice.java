package dev.appliancesync.support;

import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import dev.appliancesync.embedded.EmbeddedMqttBroker;
import dev.appliancesync.embedded.EmbeddedServices;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;

/**
 * A device (or IoT Core itself) publishing to the broker at QoS 1, as a real MQTT client: each publish returns once
 * the broker has acknowledged it (PUBACK), so one device never has more than one message in flight.
 */
public final class MqttDevice implements DeviceLink, AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    private final MqttClient client;
    /** PUBACKs by packet id; whichever comes first, the publisher or the acknowledgement, makes the entry. */
    private final Map<Integer, CompletableFuture<Void>> acknowledged = new ConcurrentHashMap<>();

    private MqttDevice(String host, int port, UnaryOperator<MqttClientOptions> options) throws Exception {
        client = MqttClient.create(vertx, options.apply(new MqttClientOptions().setClientId("device-" + UUID.randomUUID())
                .setMaxMessageSize(512 * 1024)));
        client.publishCompletionHandler(id -> pubAck(id).complete(null));
        try {
            client.connect(port, host).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    private CompletableFuture<Void> pubAck(int packetId) {
        return acknowledged.computeIfAbsent(packetId, id -> new CompletableFuture<>());
    }

    public static MqttDevice connect(String host, int port) throws Exception {
        return new MqttDevice(host, port, UnaryOperator.identity());
    }

    /** Connects to the broker the service under test started for itself (dev and test profiles). */
    public static MqttDevice connectToEmbeddedBroker() throws Exception {
        EmbeddedMqttBroker broker = EmbeddedServices.find(EmbeddedMqttBroker.class).orElseThrow();
        return connect(broker.host(), broker.port());
    }

    /** Connects to the embedded broker as {@code clientId} (on IoT Core a device's client id is its thing name). */
    public static MqttDevice connectToEmbeddedBroker(String clientId) throws Exception {
        EmbeddedMqttBroker broker = EmbeddedServices.find(EmbeddedMqttBroker.class).orElseThrow();
        return new MqttDevice(broker.host(), broker.port(), options -> options.setClientId(clientId));
    }

    /**
     * Connects over TLS with hostname verification, presenting {@code certificate} (and its {@code privateKey}, PEM)
     * and trusting only {@code caCertificate}; fails if the handshake or the connection fails.
     */
    public static MqttDevice connectTls(String host, int port, Path certificate, Path privateKey, Path caCertificate)
            throws Exception {
        return new MqttDevice(host, port, options -> {
            options.setSsl(true).setHostnameVerificationAlgorithm("HTTPS")
                    .setTrustOptions(new PemTrustOptions().addCertPath(caCertificate.toString()));
            if (certificate != null) {
                options.setKeyCertOptions(new PemKeyCertOptions().setCertPath(certificate.toString())
                        .setKeyPath(privateKey.toString()));
            }
            return options;
        });
    }

    /**
     * Subscribes at QoS 1 and returns once the broker has granted it (SUBACK); {@code handler} gets the payload of every
     * message this client receives (one subscription per device here).
     */
    @Override
    public void subscribe(String topicFilter, java.util.function.Consumer<byte[]> handler) throws Exception {
        client.publishHandler(message -> handler.accept(message.payload().getBytes()));
        CompletableFuture<java.util.List<Integer>> subAck = new CompletableFuture<>();
        client.subscribeCompletionHandler(ack -> subAck.complete(ack.grantedQoSLevels()));
        client.subscribe(topicFilter, MqttQoS.AT_LEAST_ONCE.value()).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        if (!subAck.get(10, TimeUnit.SECONDS).contains(MqttQoS.AT_LEAST_ONCE.value())) {
            throw new IllegalStateException("The broker did not grant QoS 1 on " + topicFilter);
        }
    }

    @Override
    public void publish(String topic, String payload) throws Exception {
        publish(topic, payload.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public void publish(String topic, byte[] payload) throws Exception {
        // The future completes when the PUBLISH is written, with its packet id; the broker's PUBACK comes after.
        int packetId = client.publish(topic, Buffer.buffer(payload), MqttQoS.AT_LEAST_ONCE, false, false)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        try {
            pubAck(packetId).get(10, TimeUnit.SECONDS);
        } finally {
            acknowledged.remove(packetId);
        }
    }

    /** Disconnects (waiting a little for it), then stops its event loop. */
    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            // closing anyway
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null)
                    .join();
        }
    }

    /** IoT Core's update/documents for {@code version}, reporting {@code status}. */
    public static String shadowDocument(long version, String status) {
        JsonObject current = new JsonObject()
                .put("state", new JsonObject().put("reported", new JsonObject().put("status", status))
                        .put("desired", new JsonObject().put("targetCelsius", 200)))
                .put("metadata", new JsonObject()).put("version", version);
        return new JsonObject().put("previous", new JsonObject().put("state", new JsonObject()).put("version", version - 1))
                .put("current", current).put("timestamp", System.currentTimeMillis() / 1000)
                .put("clientToken", "token-" + version).encode();
    }
}
