package dev.appliancesync.cloud.view;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.common.mqtt.BrokerConnection;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Publishes a page of view messages on the service's own MQTT connection, QoS 1, not retained, in the given order:
 * each publish is handed to the connection's event loop in list order (later ones start as earlier ones are
 * acknowledged, at most {@code max-in-flight} waiting at once), so the broker receives them in that order.
 */
@ApplicationScoped
public class ViewPublisher {

    private final BrokerConnection broker;
    private final ViewConfig config;

    public ViewPublisher(BrokerConnection broker, ViewConfig config) {
        this.broker = broker;
        this.config = config;
    }

    /** Completes once the broker has acknowledged every message; fails if any one was not (not connected, no PUBACK). */
    public Uni<Void> publish(List<ViewMessage> messages) {
        if (messages.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Multi.createFrom().iterable(messages)
                .onItem().transformToUni(message -> broker.publish(message.topic(), message.payload()))
                .merge(config.maxInFlight())
                .collect().last().replaceWithVoid();
    }
}
