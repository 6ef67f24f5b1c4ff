package dev.appliancesync.ingest.mqtt;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.function.Function;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.MultiSubscriber;

/**
 * Applies a stream in batches, one at a time: whatever arrived while the previous batch was being applied makes the
 * next one (up to {@code batchSize}), so a quiet stream is applied message by message at once and a busy one in full
 * batches. Backpressure by credit: it never asks for more than {@code 2 × batchSize} items it has not applied yet, so
 * the buffer is bounded and a slow database slows the source down instead of filling the heap.
 */
final class BatchingSubscriber<T> implements MultiSubscriber<T> {

    private static final Logger LOG = Logger.getLogger(BatchingSubscriber.class);

    private final int batchSize;
    private final Function<List<T>, Uni<Void>> apply;
    private final ArrayDeque<T> waiting = new ArrayDeque<>();
    private Flow.Subscription subscription;
    private boolean applying;
    private boolean cancelled;

    BatchingSubscriber(int batchSize, Function<List<T>, Uni<Void>> apply) {
        this.batchSize = batchSize;
        this.apply = apply;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        synchronized (this) {
            this.subscription = subscription;
        }
        subscription.request(2L * batchSize);
    }

    @Override
    public void onItem(T item) {
        synchronized (this) {
            waiting.add(item);
        }
        next();
    }

    @Override
    public void onFailure(Throwable failure) {
        LOG.errorf(failure, "A device message stream failed");
    }

    @Override
    public void onCompletion() {
        LOG.debug("Device message streams completed");
    }

    void cancel() {
        Flow.Subscription current;
        synchronized (this) {
            cancelled = true;
            current = subscription;
        }
        if (current != null) {
            current.cancel();
        }
    }

    private void next() {
        List<T> batch;
        synchronized (this) {
            if (applying || waiting.isEmpty() || cancelled) {
                return;
            }
            applying = true;
            batch = new ArrayList<>(Math.min(batchSize, waiting.size()));
            while (batch.size() < batchSize && !waiting.isEmpty()) {
                batch.add(waiting.poll());
            }
        }
        apply.apply(batch).onFailure().recoverWithNull().subscribe().with(done -> {
            Flow.Subscription current;
            synchronized (this) {
                applying = false;
                current = subscription;
            }
            current.request(batch.size());
            next();
        });
    }
}
