package dev.appliancesync.embedded;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Destroyed;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/**
 * Stops the embedded servers after every application-scoped bean (connection pools, the MQTT connector) is gone,
 * so nothing is left talking to a server that has just stopped. Dev-mode reloads and test profile changes go through
 * here too, which frees the ports for the next start.
 */
@Singleton
public class EmbeddedServicesShutdown {

    /** First among the observers: one of Quarkus's fails after a failed start, and would skip the ones after it. */
    static void onApplicationDestroyed(
            @Observes @Priority(Integer.MIN_VALUE) @Destroyed(ApplicationScoped.class) Object event) {
        EmbeddedServices.stopAll();
    }
}
