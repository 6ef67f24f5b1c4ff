package dev.appliancesync.common.mqtt;

/**
 * A QoS 1 message from the broker, not acknowledged yet. Call {@link #ack()} once its effect (or its dead letter) is
 * committed, and only then: the acknowledgement is what lets the broker forget it. A message never acknowledged is
 * redelivered by the broker on the next connection of the session.
 */
public interface InboundMessage {

    String topic();

    byte[] payload();

    /** When it arrived on the connection ({@link System#nanoTime()}): where its time on this instance starts. */
    long receivedNanos();

    /** The broker says it may have sent this message before (a redelivery). */
    boolean redelivered();

    /**
     * Sends PUBACK, on the connection the message came on. If that connection has been lost since, nothing is sent:
     * the broker redelivers the message on the new connection itself, and a PUBACK with this packet id there would
     * acknowledge another message.
     */
    void ack();
}
