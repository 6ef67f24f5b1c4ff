package dev.appliancesync.realtime.websocket;

import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.realtime.RealtimeConfig;

/** How many subscription connections each user holds on this instance, bounded by configuration. */
@ApplicationScoped
public class SubscriptionConnections {

    /** One connection's place in the count; released once, when the connection closes. */
    static final class Lease {
        private volatile String user;

        boolean held() {
            return user != null;
        }
    }

    private final ConcurrentHashMap<String, Integer> perUser = new ConcurrentHashMap<>();
    private final RealtimeConfig config;

    public SubscriptionConnections(RealtimeConfig config) {
        this.config = config;
    }

    /** Takes a place for the user's connection; false if they hold the most already. */
    boolean acquire(String user, Lease lease) {
        boolean[] granted = { false };
        perUser.compute(user, (key, held) -> {
            int count = held == null ? 0 : held;
            if (count >= config.maxConnectionsPerUser()) {
                return held;
            }
            granted[0] = true;
            return count + 1;
        });
        if (granted[0]) {
            lease.user = user;
        }
        return granted[0];
    }

    void release(Lease lease) {
        String user = lease.user;
        if (user != null) {
            lease.user = null;
            perUser.computeIfPresent(user, (key, held) -> held <= 1 ? null : held - 1);
        }
    }

    /** Open connections of this user here (for tests and metrics). */
    public int of(String user) {
        return perUser.getOrDefault(user, 0);
    }
}
