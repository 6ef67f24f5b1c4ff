package dev.appliancesync.common.graphql;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A token bucket per caller, in memory, per instance: each request takes its cost from its caller's bucket, which
 * holds at most {@code burst} and regains {@code perSecond} every second. A bucket that has been idle long enough to be
 * full again is the same as none, so those are dropped once more than {@code trackedCallers} are held: the map holds
 * at most that many callers plus those that spent something in the last {@code burst / perSecond} seconds.
 */
final class CallerBuckets {

    private static final long SWEEP_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** Amounts are kept in billionths of a unit of cost: a nanosecond's refill is then a whole number. */
    private static final long SCALE = TimeUnit.SECONDS.toNanos(1);

    private final long burst;
    private final long perSecond;
    /** The longest idle time that still refills something: the time an empty bucket takes to fill. */
    private final long fillNanos;
    private final int trackedCallers;
    private final LongSupplier nanoClock;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final AtomicLong lastSweep;

    CallerBuckets(long burst, long perSecond, int trackedCallers, LongSupplier nanoClock) {
        if (burst < 1 || perSecond < 1 || trackedCallers < 1) {
            throw new IllegalArgumentException("A rate limit needs a burst, a rate per second and a number of callers"
                    + " of at least 1, got " + burst + ", " + perSecond + ", " + trackedCallers);
        }
        this.burst = Math.multiplyExact(burst, SCALE);
        this.perSecond = perSecond;
        this.fillNanos = Math.ceilDiv(burst * SCALE, perSecond);
        this.trackedCallers = trackedCallers;
        this.nanoClock = nanoClock;
        this.lastSweep = new AtomicLong(nanoClock.getAsLong());
    }

    /**
     * Takes {@code cost} from the caller's bucket if it holds that much: 0. Otherwise takes nothing and says how many
     * whole seconds until it will hold that much (at least 1).
     */
    long charge(String caller, long cost) {
        long now = nanoClock.getAsLong();
        long[] retryAfter = { 0 };
        buckets.compute(caller, (key, bucket) -> {
            Bucket current = bucket == null ? new Bucket(burst, now) : bucket;
            refill(current, now);
            long needed = cost > burst / SCALE ? burst + 1 : cost * SCALE;
            if (current.tokens >= needed) {
                current.tokens -= needed;
            } else {
                retryAfter[0] = Math.max(1, Math.ceilDiv(needed - current.tokens, perSecond * SCALE));
            }
            return current;
        });
        if (buckets.size() > trackedCallers) {
            sweep(now);
        }
        return retryAfter[0];
    }

    /** Callers held now (for tests and a gauge). */
    int tracked() {
        return buckets.size();
    }

    /** Drops the buckets that are full again, at most once a second (a sweep visits every bucket). */
    private void sweep(long now) {
        long last = lastSweep.get();
        if (now - last < SWEEP_INTERVAL_NANOS || !lastSweep.compareAndSet(last, now)) {
            return;
        }
        for (String caller : buckets.keySet()) {
            buckets.computeIfPresent(caller, (key, bucket) -> {
                refill(bucket, now);
                return bucket.tokens >= burst ? null : bucket;
            });
        }
    }

    private void refill(Bucket bucket, long now) {
        long elapsed = now - bucket.updatedNanos;
        if (elapsed > 0) {
            bucket.tokens = Math.min(burst, bucket.tokens + Math.min(elapsed, fillNanos) * perSecond);
            bucket.updatedNanos = now;
        }
    }

    /** Only ever touched inside the map's compute, which holds the caller's entry. */
    private static final class Bucket {
        private long tokens;
        private long updatedNanos;

        Bucket(long tokens, long now) {
            this.tokens = tokens;
            this.updatedNanos = now;
        }
    }
}
