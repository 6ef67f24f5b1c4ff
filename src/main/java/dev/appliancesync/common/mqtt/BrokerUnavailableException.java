package dev.appliancesync.common.mqtt;

/** The MQTT broker cannot take a publish now (not connected, or the connection ended before its PUBACK). */
public final class BrokerUnavailableException extends RuntimeException {

    public BrokerUnavailableException(String message) {
        super(message);
    }
}
