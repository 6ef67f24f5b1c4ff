package dev.appliancesync.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.appliancesync.access.Subject;
import dev.appliancesync.change.Change;
import dev.appliancesync.change.ChangeLog;
import dev.appliancesync.change.ChangeRecord;
import dev.appliancesync.change.ChangeType;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import dev.appliancesync.common.metrics.ServiceMetrics;
import dev.appliancesync.support.User;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * How {@link LiveChanges} hands changes to its subscribers, seen from a subscriber of the stream itself: a burst of
 * the log goes out in slices of the delivering context's turns, in order and exactly once, and a subscriber that
 * reads nothing is ended with SLOW_CONSUMER once more than its buffer waits, while one that reads keeps everything.
 */
@QuarkusTest
class LiveDeliveryTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    LiveChanges live;

    @Inject
    Transactions db;

    @Inject
    ChangeLog log;

    @Inject
    RealtimeConfig config;

    @Inject
    MeterRegistry metrics;

    @Inject
    Vertx vertx;

    /**
     * 1,200 entries in one transaction: three reads of the log (500 each at most), each once delivered in a single
     * turn of the context. Now each read is handed on in slices of at most {@link LiveChanges#SLICE_ENTRIES} entries.
     */
    @Test
    void aBurstLargerThanARead_IsDeliveredInOrderExactlyOnceInSlices() {
        int burst = config.batchSize() * 2 + 200;
        UUID user = UUID.fromString(User.signedIn("burst").id());
        AssertSubscriber<ChangeRecord> reader = subscribe(user, Long.MAX_VALUE);
        awaitLive(user, reader);
        long slicesBefore = slices();

        appendInOneTransaction(user, burst);
        reader.awaitItems(2 + burst, WAIT);
        // One more, after the burst: had anything of the burst come twice, it would arrive before this one.
        appendInOneTransaction(user, 1);
        reader.awaitItems(3 + burst, WAIT);

        List<ChangeRecord> items = reader.getItems();
        List<Integer> expected = new ArrayList<>(IntStream.range(0, burst).boxed().toList());
        expected.add(0); // the one after
        assertThat(numbers(items.subList(2, items.size())))
                .as("the burst and the one after it, in log order, each once").isEqualTo(expected);
        for (int i = 3; i < items.size(); i++) {
            assertThat(items.get(i - 1).position().isBefore(items.get(i).position())).as("positions increase").isTrue();
        }
        assertThat(slices() - slicesBefore).as("turns the burst's delivery took")
                .isGreaterThanOrEqualTo(burst / LiveChanges.SLICE_ENTRIES);
        reader.assertNotTerminated().cancel();
    }

    @Test
    void aSubscriberThatReadsNothingIsEndedAsSlowConsumerAndOneThatReadsKeepsEverything() {
        int over = config.maxBufferedEvents() + 1;
        UUID user = UUID.fromString(User.signedIn("stalled").id());
        AssertSubscriber<ChangeRecord> stalled = subscribe(user, 2); // SUBSCRIBED and the marker, then nothing
        AssertSubscriber<ChangeRecord> reading = subscribe(user, Long.MAX_VALUE);
        awaitLive(user, stalled, reading);
        double droppedBefore = droppedSlow();

        appendInOneTransaction(user, over);

        Throwable failure = stalled.awaitFailure(WAIT).getFailure();
        assertThat(failure.getCause()).isInstanceOfSatisfying(ApiException.class,
                tooSlow -> assertThat(tooSlow.code()).isEqualTo(ErrorCode.SLOW_CONSUMER));
        assertThat(stalled.getItems()).as("the stalled one had only what it asked for").hasSize(2);
        assertThat(droppedSlow() - droppedBefore).isEqualTo(1.0);
        reading.awaitItems(2 + over, WAIT).assertNotTerminated();
        assertThat(numbers(reading.getItems().subList(2, 2 + over)))
                .isEqualTo(IntStream.range(0, over).boxed().toList());
        reading.cancel();
    }

    /**
     * Two subscribers opened on two event-loop contexts, whose items skip the odd entries: each gets the even ones in
     * order, every item made on its own context (the hand-off batches per event loop, and runs each task on its
     * context), and a skipped entry costs no demand: each asked for exactly as many items as it gets.
     */
    @Test
    void itemsASubscriptionSkipsCostNoDemand_AndEachIsMadeOnItsSubscribersContext() throws Exception {
        int appended = 50;
        UUID user = UUID.fromString(User.signedIn("skipping").id());
        List<Context> contexts = List.of(newEventLoopContext(), newEventLoopContext());
        List<ConcurrentLinkedQueue<Context>> madeOn = List.of(new ConcurrentLinkedQueue<>(),
                new ConcurrentLinkedQueue<>());
        List<AssertSubscriber<ChangeRecord>> readers = new ArrayList<>();
        for (int i = 0; i < contexts.size(); i++) {
            ConcurrentLinkedQueue<Context> seen = madeOn.get(i);
            CompletableFuture<AssertSubscriber<ChangeRecord>> opened = new CompletableFuture<>();
            contexts.get(i).runOnContext(ignored -> opened.complete(live.stream(
                    Uni.createFrom().item(new Subject(user, Set.of())), LiveFilter.EVERYTHING, null,
                    LiveStart.ANNOUNCED, () -> change -> {
                        seen.add(Vertx.currentContext());
                        Integer n = change.payload().getInteger("n");
                        return n != null && n >= 0 && n % 2 == 1 ? null : change;
                    }).subscribe().withSubscriber(AssertSubscriber.create(2 + appended / 2))));
            readers.add(opened.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        }
        // The marker (-1) is odd too, and passes: only odd entries from 0 on are skipped.
        awaitLive(user, readers.get(0), readers.get(1));

        appendInOneTransaction(user, appended);

        for (int i = 0; i < readers.size(); i++) {
            AssertSubscriber<ChangeRecord> reader = readers.get(i);
            reader.awaitItems(2 + appended / 2, WAIT).assertNotTerminated();
            assertThat(numbers(reader.getItems().subList(2, reader.getItems().size())))
                    .isEqualTo(IntStream.range(0, appended).filter(n -> n % 2 == 0).boxed().toList());
            Context own = contexts.get(i);
            assertThat(madeOn.get(i)).as("where its items were made").isNotEmpty().allMatch(made -> made == own);
            reader.cancel();
        }
        assertThat(contexts.get(0) != contexts.get(1)).as("two contexts").isTrue();
    }

    /** A new event-loop context: Vert.x gives each thread outside it one context of its own, kept for the thread. */
    private Context newEventLoopContext() throws Exception {
        CompletableFuture<Context> made = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> made.complete(vertx.getOrCreateContext())).join();
        return made.get();
    }

    private AssertSubscriber<ChangeRecord> subscribe(UUID user, long requested) {
        return live.stream(Uni.createFrom().item(new Subject(user, Set.of())), LiveFilter.EVERYTHING, null,
                LiveStart.ANNOUNCED).subscribe().withSubscriber(AssertSubscriber.create(requested));
    }

    /**
     * Waits until each reader has had SUBSCRIBED and then an entry appended after it (numbered -1): the entry reached
     * them from the feed, or from their catch-up, which then reached the feed's position and went live. Entries
     * appended from now on reach them from the feed, not from a catch-up that waits for the subscriber to read.
     */
    @SafeVarargs
    private void awaitLive(UUID user, AssertSubscriber<ChangeRecord>... readers) {
        for (AssertSubscriber<ChangeRecord> reader : readers) {
            reader.awaitItems(1, WAIT);
            assertThat(reader.getItems().get(0).type()).isEqualTo(ChangeType.SUBSCRIBED);
        }
        db.inTransaction(tx -> log.append(tx, Change.forUser(user, ChangeType.PREFERENCES_CHANGED,
                new JsonObject().put("n", -1)))).await().atMost(WAIT);
        for (AssertSubscriber<ChangeRecord> reader : readers) {
            reader.awaitItems(2, WAIT);
            assertThat(reader.getItems().get(1).payload().getInteger("n")).isEqualTo(-1);
        }
    }

    /** {@code count} entries for {@code user} numbered 0 to count - 1, in one transaction. */
    private void appendInOneTransaction(UUID user, int count) {
        List<Change> changes = new ArrayList<>();
        for (int n = 0; n < count; n++) {
            changes.add(Change.forUser(user, ChangeType.PREFERENCES_CHANGED, new JsonObject().put("n", n)));
        }
        db.inTransaction(tx -> log.append(tx, changes)).await().atMost(WAIT);
    }

    private static List<Integer> numbers(List<ChangeRecord> items) {
        return items.stream().map(item -> item.payload().getInteger("n")).toList();
    }

    private long slices() {
        return metrics.get(ServiceMetrics.REALTIME_DELIVERY_SLICE).timer().count();
    }

    private double droppedSlow() {
        return metrics.get(ServiceMetrics.REALTIME_SUBSCRIPTIONS_DROPPED).tag("reason", "SLOW_CONSUMER").counter()
                .count();
    }
}
