package dev.appliancesync.cloud.view;

import java.time.Duration;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.common.mqtt.BrokerConnection;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Publishes a page of view messages on the service's own MQTT connection, QoS 1, not retained, in the given order:
 * each publish is handed to the connection's event loop in list order (later ones start as earlier ones are
 * acknowledged, at most {@code max-in-flight} waiting at once), so the broker receives them in that order; at most
 * {@code max-per-second} a second, under IoT Core's limit per connection, with room left for commands.
 */
@ApplicationScoped
public class ViewPublisher {

    private final BrokerConnection broker;
    private final ViewConfig config;
    private final PublishPace pace;

    public ViewPublisher(BrokerConnection broker, ViewConfig config) {
        this.broker = broker;
        this.config = config;
        this.pace = new PublishPace(config.maxPerSecond());
    }

    /** Completes once the broker has acknowledged every message; fails if any one was not (not connected, no PUBACK). */
    public Uni<Void> publish(List<ViewMessage> messages) {
        if (messages.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        // Paced one after another (call is sequential), so each publish is handed over in list order; their PUBACKs
        // are awaited side by side.
        return Multi.createFrom().iterable(messages)
                .onItem().call(message -> waitForSlot())
                .onItem().transformToUni(message -> broker.publish(message.topic(), message.payload()))
                .merge(config.maxInFlight())
                .collect().last().replaceWithVoid();
    }

    private Uni<Void> waitForSlot() {
        Duration wait = pace.reserve();
        // Timers have millisecond resolution (and refuse less): a shorter wait goes now, within the pace's burst.
        return wait.toMillis() < 1 ? Uni.createFrom().voidItem()
                : Uni.createFrom().voidItem().onItem().delayIt().by(wait);
    }
}
