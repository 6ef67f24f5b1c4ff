package dev.appliancesync.common.retry;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter, for every retry loop (AWS calls, the MQTT connection, the command outbox,
 * the cloud reconciler): before attempt n+1, a uniformly random wait between zero and
 * min(max, base * 2^(n-1)). The jitter spreads the retries of many callers throttled at once, so they do not come back
 * together (AWS's own recommendation for throttling).
 */
public final class Backoff {

    private final Duration base;
    private final Duration max;
    /** Shared by the worker threads: a java.util.Random may be, a ThreadLocalRandom must stay on its own thread. */
    private final RandomGenerator random;

    public Backoff(Duration base, Duration max, RandomGenerator random) {
        if (base.isNegative() || max.compareTo(base) < 0) {
            throw new IllegalArgumentException("Backoff needs 0 <= base <= max, got " + base + " and " + max);
        }
        this.base = base;
        this.max = max;
        this.random = random;
    }

    /** The longest wait after failed attempt {@code attempt} (1 for the first). */
    public Duration ceiling(int attempt) {
        int doublings = Math.min(attempt - 1, 30);
        long nanos = base.toNanos() > (max.toNanos() >> doublings) ? max.toNanos() : base.toNanos() << doublings;
        return Duration.ofNanos(Math.min(nanos, max.toNanos()));
    }

    /** The wait after failed attempt {@code attempt}. */
    public Duration delay(int attempt) {
        long ceiling = ceiling(attempt).toNanos();
        return Duration.ofNanos(ceiling == 0 ? 0 : random.nextLong(ceiling + 1));
    }
}
