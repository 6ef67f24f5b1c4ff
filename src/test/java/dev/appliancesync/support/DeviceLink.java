package dev.appliancesync.support;

import java.util.function.Consumer;

/** What a device does on MQTT: subscribe (returns on SUBACK) and publish at QoS 1 (returns on PUBACK). */
public interface DeviceLink {

    void subscribe(String topicFilter, Consumer<byte[]> handler) throws Exception;

    void publish(String topic, String payload) throws Exception;
}
