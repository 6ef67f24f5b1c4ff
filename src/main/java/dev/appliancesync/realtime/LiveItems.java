package dev.appliancesync.realtime;

import dev.appliancesync.change.ChangeRecord;

/**
 * What one subscription makes of each visible change it wants: the item its subscriber is handed, or null to skip the
 * change (a skipped change costs the subscriber none of its demand). Made once per subscription, and called one change
 * at a time in log order, never two at once, so it may keep state of its own (the newest version it let through).
 * <p>
 * Plain Java on purpose, not Mutiny operators after the stream: with context propagation on, every operator's function
 * is wrapped in a captured context that is restored and torn down for each item and subscriber, and on the delivery
 * path that cost more than making the items (FanOutBenchmark's profile: 7.7 % of the event loops' samples, against
 * 2.8 % for making the items; 3.6 % is left, on other paths).
 */
@FunctionalInterface
public interface LiveItems<T> {

    /** The item for {@code visible} (already decided and redacted for this subscription's token), or null to skip. */
    T itemOf(ChangeRecord visible);

    /** The changes themselves. */
    static LiveItems<ChangeRecord> changes() {
        return visible -> visible;
    }
}
