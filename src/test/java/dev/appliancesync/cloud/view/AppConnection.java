package dev.appliancesync.cloud.view;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import dev.appliancesync.embedded.EmbeddedMqttBroker;
import dev.appliancesync.embedded.EmbeddedServices;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;

/**
 * An app's MQTT connection as IoT Core would let it be: client id {@code <identity id>-<device>}, subscribing to view
 * topics and never publishing. Keeps every message it receives, with its topic.
 */
final class AppConnection implements AutoCloseable {

    record Received(String topic, JsonObject message) {
    }

    private final Vertx vertx = Vertx.vertx();
    private final MqttClient client;
    private final List<Received> received = new CopyOnWriteArrayList<>();

    private AppConnection(String host, int port, String clientId) throws Exception {
        client = MqttClient.create(vertx, new MqttClientOptions().setClientId(clientId).setCleanSession(true)
                .setMaxMessageSize(256 * 1024));
        client.publishHandler(message -> received.add(
                new Received(message.topicName(), new JsonObject(message.payload()))));
        client.connect(port, host).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** To the broker the service under test started for itself. */
    static AppConnection connect(String clientId) throws Exception {
        EmbeddedMqttBroker broker = EmbeddedServices.find(EmbeddedMqttBroker.class).orElseThrow();
        return connect(broker, clientId);
    }

    static AppConnection connect(EmbeddedMqttBroker broker, String clientId) throws Exception {
        return new AppConnection(broker.host(), broker.port(), clientId);
    }

    /** Subscribes to each filter at QoS 1 (one SUBSCRIBE each) and returns once the broker granted them. */
    AppConnection subscribe(String... filters) throws Exception {
        for (String filter : filters) {
            CompletableFuture<List<Integer>> granted = new CompletableFuture<>();
            client.subscribeCompletionHandler(ack -> granted.complete(ack.grantedQoSLevels()));
            client.subscribe(filter, MqttQoS.AT_LEAST_ONCE.value()).toCompletionStage().toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            if (!granted.get(10, TimeUnit.SECONDS).contains(MqttQoS.AT_LEAST_ONCE.value())) {
                throw new IllegalStateException("QoS 1 not granted on " + filter);
            }
        }
        return this;
    }

    /** The messages received on {@code topic}, in the order they came. */
    List<JsonObject> on(String topic) {
        return received.stream().filter(r -> r.topic().equals(topic)).map(Received::message).toList();
    }

    /** The messages received on topics starting with {@code prefix}. */
    List<Received> under(String prefix) {
        return received.stream().filter(r -> r.topic().startsWith(prefix)).toList();
    }

    boolean connected() {
        return client.isConnected();
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            // closing anyway
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().orTimeout(5, TimeUnit.SECONDS)
                    .exceptionally(e -> null).join();
        }
    }
}
