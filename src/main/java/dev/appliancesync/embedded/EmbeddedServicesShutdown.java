package dev.appliancesync.embedded;

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

    static void onApplicationDestroyed(@Observes @Destroyed(ApplicationScoped.class) Object event) {
        EmbeddedServices.stopAll();
    }
}
