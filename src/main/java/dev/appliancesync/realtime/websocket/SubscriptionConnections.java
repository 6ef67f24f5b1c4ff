package dev.appliancesync.realtime.websocket;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.realtime.RealtimeConfig;

/**
 * How many subscription connections each user holds on this instance, and how many are not counted against anyone
 * yet (no acknowledged connection_init with a token), both bounded by configuration.
 */
@ApplicationScoped
public class SubscriptionConnections {

    /**
     * One connection's place in the counts: first among the unauthenticated, then its user's; released once, when the
     * connection closes. Its changes come from the socket's thread and from authentication's, hence the lock.
     */
    static final class Lease {
        private boolean unauthenticated;
        private String user;
        private boolean released;

        synchronized boolean held() {
            return user != null;
        }
    }

    private final ConcurrentHashMap<String, Integer> perUser = new ConcurrentHashMap<>();
    private final AtomicInteger unauthenticated = new AtomicInteger();
    private final RealtimeConfig config;

    public SubscriptionConnections(RealtimeConfig config) {
        this.config = config;
    }

    /** Takes a place for a new connection among the unauthenticated ones; false if the instance holds the most. */
    boolean admitUnauthenticated(Lease lease) {
        int max = config.maxUnauthenticatedConnections();
        if (unauthenticated.getAndUpdate(held -> held < max ? held + 1 : held) >= max) {
            return false;
        }
        synchronized (lease) {
            lease.unauthenticated = true;
        }
        return true;
    }

    /**
     * Moves the connection's place to the user (once; again is a no-op); false if they hold the most already or the
     * connection closed meanwhile. Its unauthenticated place is kept on refusal: the caller closes the connection.
     */
    boolean acquire(String user, Lease lease) {
        synchronized (lease) {
            if (lease.released) {
                return false;
            }
            if (lease.user != null) {
                return true;
            }
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
                leaveUnauthenticated(lease);
            }
            return granted[0];
        }
    }

    void release(Lease lease) {
        synchronized (lease) {
            lease.released = true;
            leaveUnauthenticated(lease);
            String user = lease.user;
            if (user != null) {
                lease.user = null;
                perUser.computeIfPresent(user, (key, held) -> held <= 1 ? null : held - 1);
            }
        }
    }

    /** Open connections of this user here (for tests and metrics). */
    public int of(String user) {
        return perUser.getOrDefault(user, 0);
    }

    /** Open connections here not counted against a user (for tests and metrics). */
    public int unauthenticated() {
        return unauthenticated.get();
    }

    private void leaveUnauthenticated(Lease lease) {
        if (lease.unauthenticated) {
            lease.unauthenticated = false;
            unauthenticated.decrementAndGet();
        }
    }
}
