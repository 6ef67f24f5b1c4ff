package dev.appliancesync.common.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

class BackoffTest {

    private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), new Random(42));

    @Test
    void theCeilingDoublesPerAttemptUpToTheMaximum() {
        assertThat(backoff.ceiling(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.ceiling(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(backoff.ceiling(4)).isEqualTo(Duration.ofMillis(800));
        assertThat(backoff.ceiling(7)).isEqualTo(Duration.ofSeconds(5));
        assertThat(backoff.ceiling(100)).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void eachDelayIsAnywhereBetweenZeroAndTheCeiling() {
        Set<Duration> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            Duration delay = backoff.delay(3);
            assertThat(delay).isBetween(Duration.ZERO, Duration.ofMillis(400));
            seen.add(delay);
        }
        // Full jitter: spread over the range, not a fixed wait nor one near the ceiling.
        assertThat(seen).hasSizeGreaterThan(150);
        assertThat(seen).anySatisfy(d -> assertThat(d).isLessThan(Duration.ofMillis(100)));
        assertThat(seen).anySatisfy(d -> assertThat(d).isGreaterThan(Duration.ofMillis(300)));
    }
}
