package dev.appliancesync.access;

import java.time.Clock;
import java.time.Instant;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * The time the policies see: {@link Authorizer} states it as {@code context.hourUtc}, {@code minuteUtc} and
 * {@code weekdayUtc}, so a decision can only change when the minute does. One bean, so that the service's decisions
 * and the moment live subscriptions are decided again (when a time window such as quiet hours opens or closes) read
 * the same clock, and a test can move both.
 */
@ApplicationScoped
public class PolicyClock {

    /** The names of the time facts in a decision's context; a policy that reads none of them ignores the time. */
    public static final Set<String> TIME_FACTS = Set.of("hourUtc", "minuteUtc", "weekdayUtc");

    private final Clock clock = Clock.systemUTC();

    public Instant now() {
        return clock.instant();
    }

    /** The minute {@code at} falls in, counted from the epoch: the finest time a policy can tell apart. */
    public static long minuteOf(Instant at) {
        return Math.floorDiv(at.getEpochSecond(), 60);
    }
}
