package dev.appliancesync.cloud.gateway;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A token bucket holding one token, refilled {@code perSecond} times a second: calls are spaced at least
 * 1/perSecond apart, so no second ever holds more than {@code perSecond} of them. Without a burst allowance on
 * purpose: AWS counts its own limits per second, and a burst on top of a steady rate is what gets throttled.
 * {@link #acquire()} blocks the calling (worker) thread until its turn.
 */
public final class RateLimiter {

    private final long intervalNanos;
    private long nextFreeNanos = System.nanoTime();

    public RateLimiter(int perSecond) {
        if (perSecond < 1) {
            throw new IllegalArgumentException("A rate limit needs at least 1 call per second, got " + perSecond);
        }
        this.intervalNanos = Duration.ofSeconds(1).toNanos() / perSecond;
    }

    /** Waits for this caller's turn; callers are served in the order they reserved their slot. */
    public void acquire() throws InterruptedException {
        long slot;
        synchronized (this) {
            long now = System.nanoTime();
            slot = Math.max(now, nextFreeNanos);
            nextFreeNanos = slot + intervalNanos;
        }
        for (long wait = slot - System.nanoTime(); wait > 0; wait = slot - System.nanoTime()) {
            LockSupport.parkNanos(wait);
            if (Thread.interrupted()) {
                throw new InterruptedException("Interrupted while waiting for a rate-limit slot");
            }
        }
    }
}
