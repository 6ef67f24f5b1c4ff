package dev.appliancesync.ingest.mqtt;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.function.Function;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.MultiSubscriber;

/**
 * Applies a stream in batches, one at a time: whatever arrived while the previous batch was being applied makes the
 * next one (up to {@code batchSize}), so a quiet stream is applied message by message at once and a busy one in full
 * batches.
 * <p>
 * MQTT 3.1.1 has no flow control towards a subscriber: the broker sends as fast as devices publish, and the
 * connector's own buffer fails its stream for good when it overflows. So this takes everything it is given, keeps at
 * most {@code maxWaiting} items, and hands what does not fit to {@code overflow} (dead-lettered as OVERLOADED: counted
 * and kept, never silently lost, and the heap stays bounded).
 * <p>
 * Batches are applied on {@code applyOn}, not on the thread that delivers the items: that is the MQTT connection's
 * event loop, which also sends the PUBACKs. Parsing and writing a batch there delays the acknowledgements, the broker
 * then holds back (and, past its queue limit, drops) what it has for us.
 */
final class BatchingSubscriber<T> implements MultiSubscriber<T> {

    private static final Logger LOG = Logger.getLogger(BatchingSubscriber.class);

    private final int batchSize;
    private final int maxWaiting;
    private final Function<List<T>, Uni<Void>> apply;
    private final Executor applyOn;
    private final java.util.function.Consumer<T> overflow;
    private final ArrayDeque<T> waiting = new ArrayDeque<>();
    private Flow.Subscription subscription;
    private boolean applying;
    private boolean cancelled;

    BatchingSubscriber(int batchSize, int maxWaiting, Function<List<T>, Uni<Void>> apply, Executor applyOn,
            java.util.function.Consumer<T> overflow) {
        this.batchSize = batchSize;
        this.maxWaiting = maxWaiting;
        this.apply = apply;
        this.applyOn = applyOn;
        this.overflow = overflow;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        synchronized (this) {
            this.subscription = subscription;
        }
        subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onItem(T item) {
        boolean kept;
        synchronized (this) {
            kept = waiting.size() < maxWaiting && waiting.add(item);
        }
        if (kept) {
            next();
        } else {
            overflow.accept(item);
        }
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
        Uni.createFrom().deferred(() -> apply.apply(batch)).runSubscriptionOn(applyOn)
                .onFailure().recoverWithNull().subscribe().with(done -> {
            synchronized (this) {
                applying = false;
            }
            next();
        });
    }
}
