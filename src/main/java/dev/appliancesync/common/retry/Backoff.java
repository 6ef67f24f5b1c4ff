package dev.appliancesync.common.retry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter: after {@code attempts} failures, a random wait of at most {@code initial} times
 * 2^attempts, never more than {@code max}. The jitter spreads the retries of many rows (or instances) that failed
 * together, so a broker or an API that comes back is not hit by all of them at once.
 */
public record Backoff(Duration initial, Duration max) {

    /** Doublings beyond this change nothing for any sensible {@code max}, and keep the shift from overflowing. */
    private static final int MAX_DOUBLINGS = 16;

    public Backoff {
        if (initial.isNegative() || initial.isZero() || max.isNegative() || max.isZero()) {
            throw new IllegalArgumentException("Backoff needs positive durations, not " + initial + " and " + max);
        }
    }

    /** How long to wait after {@code attempts} failed attempts: between 1 ms and the capped exponential bound. */
    public Duration after(int attempts) {
        long bound = Math.min(max.toMillis(), initial.toMillis() << Math.clamp(attempts, 0, MAX_DOUBLINGS));
        return Duration.ofMillis(1 + ThreadLocalRandom.current().nextLong(Math.max(1, bound)));
    }
}
