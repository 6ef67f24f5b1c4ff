package dev.appliancesync.command.mqtt;

import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.mqtt.MqttMessage;

/** Publishes commands to devices over MQTT, QoS 1, on the device's own command topic. */
@ApplicationScoped
public class DeviceCommandPublisher {

    public static final String CHANNEL = "device-commands";
    /** Thing names as IoT Core allows them; anything else could escape into another device's topic. */
    private static final Pattern THING_NAME = Pattern.compile("[A-Za-z0-9:_-]{1,128}");

    private final MutinyEmitter<String> emitter;
    private final DeviceTopicsConfig topics;

    public DeviceCommandPublisher(@Channel(CHANNEL) MutinyEmitter<String> emitter, DeviceTopicsConfig topics) {
        this.emitter = emitter;
        this.topics = topics;
    }

    /** Completes when the broker has acknowledged the message (PUBACK). */
    public Uni<Void> publish(String thingName, String payloadJson) {
        if (!THING_NAME.matcher(thingName).matches()) {
            return Uni.createFrom().failure(new IllegalArgumentException("Not a thing name: " + thingName));
        }
        return emitter.sendMessage(MqttMessage.of(topics.commandsFor(thingName), payloadJson, MqttQoS.AT_LEAST_ONCE));
    }
}
