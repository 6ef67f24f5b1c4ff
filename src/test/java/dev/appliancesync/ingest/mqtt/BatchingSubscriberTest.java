package dev.appliancesync.ingest.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import io.smallrye.mutiny.subscription.UniEmitter;

/** Batches form from what waits while the previous batch is applied; past the bound, items overflow, never queue. */
class BatchingSubscriberTest {

    @Test
    void whatArrivesDuringABatchMakesTheNextOneAndTheQueueIsBounded() {
        List<List<Integer>> batches = new CopyOnWriteArrayList<>();
        List<UniEmitter<? super Void>> pending = new ArrayList<>();
        List<Integer> overflowed = new ArrayList<>();
        AtomicInteger handedToExecutor = new AtomicInteger();
        BatchingSubscriber<Integer> subscriber = new BatchingSubscriber<>(3, 5, batch -> {
            batches.add(batch);
            return Uni.createFrom().emitter(pending::add);
        }, task -> {
            handedToExecutor.incrementAndGet();
            task.run();
        }, overflowed::add);
        UnicastProcessor<Integer> source = UnicastProcessor.create();
        source.subscribe().withSubscriber(subscriber);

        source.onNext(1); // applied at once, alone
        for (int i = 2; i <= 9; i++) {
            source.onNext(i); // 2..6 wait (the bound is 5), 7..9 overflow
        }
        assertThat(batches).containsExactly(List.of(1));
        assertThat(overflowed).containsExactly(7, 8, 9);

        pending.get(0).complete(null);
        assertThat(batches).containsExactly(List.of(1), List.of(2, 3, 4));
        pending.get(1).complete(null);
        assertThat(batches).containsExactly(List.of(1), List.of(2, 3, 4), List.of(5, 6));
        pending.get(2).complete(null);
        source.onNext(10);
        assertThat(batches).last().isEqualTo(List.of(10));
        assertThat(handedToExecutor).as("every batch is applied through the executor").hasValue(batches.size());
    }
}
