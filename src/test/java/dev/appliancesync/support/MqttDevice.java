package dev.appliancesync.support;

import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;

/** A device (or IoT Core itself) publishing to the broker at QoS 1, as a real MQTT client. */
public final class MqttDevice implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    private final MqttClient client;

    private MqttDevice(String host, int port) throws Exception {
        client = MqttClient.create(vertx, new MqttClientOptions().setClientId("device-" + UUID.randomUUID())
                .setMaxMessageSize(512 * 1024));
        client.connect(port, host).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    public static MqttDevice connect(String host, int port) throws Exception {
        return new MqttDevice(host, port);
    }

    public void publish(String topic, String payload) throws Exception {
        publish(topic, payload.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public void publish(String topic, byte[] payload) throws Exception {
        client.publish(topic, Buffer.buffer(payload), MqttQoS.AT_LEAST_ONCE, false, false)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        vertx.close();
    }
}
