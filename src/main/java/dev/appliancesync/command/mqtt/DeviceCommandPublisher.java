package dev.appliancesync.command.mqtt;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.common.mqtt.BrokerConnection;
import io.smallrye.mutiny.Uni;

/** Publishes commands to devices over MQTT, QoS 1, on the device's own command topic. */
@ApplicationScoped
public class DeviceCommandPublisher {

    /** Thing names as IoT Core allows them; anything else could escape into another device's topic. */
    private static final Pattern THING_NAME = Pattern.compile("[A-Za-z0-9:_-]{1,128}");

    private final BrokerConnection broker;
    private final DeviceTopicsConfig topics;

    public DeviceCommandPublisher(BrokerConnection broker, DeviceTopicsConfig topics) {
        this.broker = broker;
        this.topics = topics;
    }

    /**
     * Completes when the broker has acknowledged the message (PUBACK); fails when it is not connected, the connection
     * ends first, or no PUBACK comes in time (the message may have gone out all the same: a retry may deliver it twice).
     */
    public Uni<Void> publish(String thingName, String payloadJson) {
        if (!THING_NAME.matcher(thingName).matches()) {
            return Uni.createFrom().failure(new IllegalArgumentException("Not a thing name: " + thingName));
        }
        return broker.publish(topics.commandsFor(thingName), payloadJson.getBytes(StandardCharsets.UTF_8));
    }
}
