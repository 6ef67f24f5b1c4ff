package dev.appliancesync.cloud.view;

import java.time.Duration;

/**
 * Keeps publishes to {@code perSecond} on average, with a burst of a tenth of a second's worth at most, so that no
 * second holds more than about 1.1 times {@code perSecond} (IoT Core accepts 100 publishes a second on a connection
 * and throttles beyond). Never blocks: it says how long the caller should wait for its slot, for an event loop. The
 * small burst lets publishes that a late timer held back catch up, instead of every late wake-up costing rate.
 */
final class PublishPace {

    private final long intervalNanos;
    private final long toleranceNanos;
    /** When the next publish would be due at the exact rate (generic cell rate algorithm). */
    private long dueNanos = System.nanoTime();

    PublishPace(int perSecond) {
        if (perSecond < 1) {
            throw new IllegalArgumentException("A pace needs at least 1 publish a second, got " + perSecond);
        }
        this.intervalNanos = Duration.ofSeconds(1).toNanos() / perSecond;
        this.toleranceNanos = intervalNanos * Math.max(0, perSecond / 10 - 1);
    }

    /** Reserves the next slot; how long until it comes (zero if now). */
    synchronized Duration reserve() {
        long now = System.nanoTime();
        long due = Math.max(dueNanos, now);
        long slot = Math.max(now, due - toleranceNanos);
        dueNanos = due + intervalNanos;
        return Duration.ofNanos(slot - now);
    }
}
