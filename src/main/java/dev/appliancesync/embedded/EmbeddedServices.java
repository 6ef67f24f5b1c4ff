package dev.appliancesync.embedded;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.jboss.logging.Logger;

/**
 * The embedded servers this application instance started, stopped in reverse order when it shuts down.
 * Static because they are started while configuration is being built, before any CDI bean exists.
 */
public final class EmbeddedServices {

    private static final Logger LOG = Logger.getLogger(EmbeddedServices.class);
    private static final Deque<EmbeddedServer> RUNNING = new ArrayDeque<>();
    private static final Map<String, String> PROPERTIES = new LinkedHashMap<>();

    private EmbeddedServices() {
    }

    static synchronized void register(EmbeddedServer server) {
        RUNNING.push(server);
    }

    /** The running server of that type, if this instance started one (tests use it to reach or break them). */
    public static synchronized <T extends EmbeddedServer> Optional<T> find(Class<T> type) {
        return RUNNING.stream().filter(type::isInstance).map(type::cast).findFirst();
    }

    static synchronized boolean isEmpty() {
        return RUNNING.isEmpty();
    }

    /** The configuration that points the application at the running servers. */
    static synchronized Map<String, String> properties() {
        return Map.copyOf(PROPERTIES);
    }

    static synchronized void putProperties(Map<String, String> properties) {
        PROPERTIES.putAll(properties);
    }

    public static synchronized void stopAll() {
        PROPERTIES.clear();
        while (!RUNNING.isEmpty()) {
            EmbeddedServer server = RUNNING.pop();
            try {
                server.stop();
            } catch (RuntimeException e) {
                LOG.warnf(e, "Embedded %s did not stop cleanly", server.name());
            }
        }
    }
}
