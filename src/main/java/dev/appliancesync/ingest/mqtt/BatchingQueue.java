package dev.appliancesync.ingest.mqtt;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Function;

import io.smallrye.mutiny.Uni;

/**
 * Applies what it is given in batches, one batch at a time: whatever arrived while the previous batch was being
 * applied makes the next one (up to {@code batchSize}), so a quiet stream is applied message by message at once and a
 * busy one in full batches.
 * <p>
 * It has no bound of its own: it holds what the broker has sent and we have not acknowledged, and the broker sends no
 * more than its in-flight window allows (messages are acknowledged only once their batch is committed). A batch whose
 * {@code apply} fails is dropped from here; {@code apply} is expected to retry what must not be lost itself.
 * <p>
 * Batches are applied on {@code applyOn}, not on the thread that hands the items in: that is the MQTT connection's
 * event loop, which also sends the acknowledgements and reads the next messages.
 */
final class BatchingQueue<T> {

    private final int batchSize;
    private final Function<List<T>, Uni<Void>> apply;
    private final Executor applyOn;
    private final ArrayDeque<T> waiting = new ArrayDeque<>();
    private boolean applying;
    private int applyingCount;
    private boolean closed;

    BatchingQueue(int batchSize, Function<List<T>, Uni<Void>> apply, Executor applyOn) {
        this.batchSize = batchSize;
        this.apply = apply;
        this.applyOn = applyOn;
    }

    void add(T item) {
        synchronized (this) {
            if (closed) {
                return;
            }
            waiting.add(item);
        }
        next();
    }

    /** Waiting, plus those of the batch being applied. */
    synchronized int size() {
        return waiting.size() + applyingCount;
    }

    /** Takes no more items and starts no more batches (what waits is not acknowledged: the broker keeps it). */
    synchronized void close() {
        closed = true;
        waiting.clear();
    }

    private void next() {
        List<T> batch;
        synchronized (this) {
            if (applying || waiting.isEmpty() || closed) {
                return;
            }
            applying = true;
            batch = new ArrayList<>(Math.min(batchSize, waiting.size()));
            while (batch.size() < batchSize && !waiting.isEmpty()) {
                batch.add(waiting.poll());
            }
            applyingCount = batch.size();
        }
        Uni.createFrom().deferred(() -> apply.apply(batch)).runSubscriptionOn(applyOn)
                .onFailure().recoverWithNull().subscribe().with(done -> {
                    synchronized (this) {
                        applying = false;
                        applyingCount = 0;
                    }
                    next();
                });
    }
}
