package dev.appliancesync.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/** What is remembered between batches: only what was handed in, at most the capacity, least recently used first. */
class ThingIdsTest {

    private final UUID a = UUID.randomUUID();
    private final UUID b = UUID.randomUUID();
    private final UUID c = UUID.randomUUID();

    @Test
    void knowsOnlyWhatItWasToldAndForgetsTheLeastRecentlyUsedBeyondItsCapacity() {
        ThingIds ids = new ThingIds(2);
        assertThat(ids.of(Set.of("A"))).isEmpty();
        ids.remember(Map.of("A", a, "B", b));
        assertThat(ids.of(Set.of("A", "X"))).isEqualTo(Map.of("A", a)); // A used last
        ids.remember(Map.of("C", c));
        assertThat(ids.of(Set.of("A", "B", "C"))).isEqualTo(Map.of("A", a, "C", c));
    }

    @Test
    void forgetsEverythingWhenTold() {
        ThingIds ids = new ThingIds(10);
        ids.remember(Map.of("A", a));
        ids.forgetAll();
        assertThat(ids.of(Set.of("A"))).isEmpty();
    }

    @Test
    void aCapacityOfZeroRemembersNothing() {
        ThingIds ids = new ThingIds(0);
        ids.remember(Map.of("A", a));
        assertThat(ids.of(Set.of("A"))).isEmpty();
    }
}
