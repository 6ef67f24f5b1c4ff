package dev.appliancesync.ingest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

/** Batches form from what waits while the previous batch is applied; one batch at a time; nothing is turned away. */
class BatchingQueueTest {

    private final List<List<Integer>> batches = new CopyOnWriteArrayList<>();
    private final List<UniEmitter<? super Void>> pending = new ArrayList<>();
    private final AtomicInteger handedToExecutor = new AtomicInteger();
    private final BatchingQueue<Integer> queue = new BatchingQueue<>(3, batch -> {
        batches.add(batch);
        return Uni.createFrom().emitter(pending::add);
    }, task -> {
        handedToExecutor.incrementAndGet();
        task.run();
    });

    @Test
    void whatArrivesDuringABatchMakesTheNextOnesAndEverythingIsKept() {
        queue.add(1); // applied at once, alone
        for (int i = 2; i <= 9; i++) {
            queue.add(i); // all wait: no bound here, the broker's in-flight window is the bound
        }
        assertThat(batches).containsExactly(List.of(1));
        assertThat(queue.size()).as("waiting and being applied").isEqualTo(9);

        pending.get(0).complete(null);
        assertThat(batches).containsExactly(List.of(1), List.of(2, 3, 4));
        pending.get(1).complete(null);
        pending.get(2).complete(null);
        assertThat(batches).containsExactly(List.of(1), List.of(2, 3, 4), List.of(5, 6, 7), List.of(8, 9));
        pending.get(3).complete(null);
        assertThat(queue.size()).isZero();
        queue.add(10);
        assertThat(batches).last().isEqualTo(List.of(10));
        assertThat(handedToExecutor).as("every batch is applied through the executor").hasValue(batches.size());
    }

    @Test
    void aFailedBatchDoesNotStopTheNextAndAClosedQueueTakesNothing() {
        queue.add(1);
        queue.add(2);
        pending.get(0).fail(new IllegalStateException("apply gave up (shutting down)"));
        assertThat(batches).containsExactly(List.of(1), List.of(2));

        queue.close();
        pending.get(1).complete(null);
        queue.add(3);
        assertThat(batches).containsExactly(List.of(1), List.of(2));
        assertThat(queue.size()).isZero();
    }
}
