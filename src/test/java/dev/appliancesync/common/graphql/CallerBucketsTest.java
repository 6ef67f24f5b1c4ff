package dev.appliancesync.common.graphql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/** The per-caller token buckets on a clock the test moves: what they charge, when they refuse, what they keep. */
class CallerBucketsTest {

    private final AtomicLong now = new AtomicLong();

    private CallerBuckets buckets(long burst, long perSecond, int trackedCallers) {
        return new CallerBuckets(burst, perSecond, trackedCallers, now::get);
    }

    private void pass(long millis) {
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    }

    @Test
    void aCallerSpendsTheBurstThenWhatRefillsAndIsToldWhenToComeBack() {
        CallerBuckets buckets = buckets(1_000, 100, 10);
        assertThat(buckets.charge("alice", 600)).isZero();
        assertThat(buckets.charge("alice", 400)).isZero();
        // Empty: 250 comes back in 2.5 s, so 3 whole seconds; nothing is taken by a refusal.
        assertThat(buckets.charge("alice", 250)).isEqualTo(3);
        assertThat(buckets.charge("bob", 1_000)).as("another caller has a bucket of their own").isZero();
        pass(2_499);
        assertThat(buckets.charge("alice", 250)).isEqualTo(1);
        pass(1);
        assertThat(buckets.charge("alice", 250)).isZero();
        // Never more than the burst, however long idle.
        pass(3_600_000);
        assertThat(buckets.charge("alice", 1_001)).isEqualTo(1);
        assertThat(buckets.charge("alice", 1_000)).isZero();
    }

    @Test
    void aHundredTimesTheCostEmptiesTheBucketAHundredTimesFaster() {
        CallerBuckets buckets = buckets(1_100, 1, 10);
        for (int i = 0; i < 100; i++) {
            assertThat(buckets.charge("one-alias", 11)).isZero();
        }
        assertThat(buckets.charge("one-alias", 11)).isPositive();
        assertThat(buckets.charge("hundred-aliases", 1_100)).isZero();
        assertThat(buckets.charge("hundred-aliases", 11)).isPositive();
    }

    @Test
    void manyCallersDoNotGrowTheMapBeyondThoseActiveWithinARefill() {
        // Full again 1 s after spending: beyond 100 callers, those idle for a second are dropped.
        CallerBuckets buckets = buckets(100, 100, 100);
        for (int second = 0; second < 50; second++) {
            for (int i = 0; i < 1_000; i++) {
                buckets.charge("user-" + second + "-" + i, 50);
            }
            pass(1_001);
        }
        // The last second's 1,000 callers are still refilling; every earlier one was dropped.
        assertThat(buckets.tracked()).isLessThanOrEqualTo(2_000);
        // Dropping a full bucket forgets nothing: a caller that comes back has its whole burst, as it would have.
        assertThat(buckets.charge("user-0-0", 100)).isZero();
    }
}
