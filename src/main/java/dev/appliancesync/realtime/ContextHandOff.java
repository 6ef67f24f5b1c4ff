package dev.appliancesync.realtime;

import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.channel.EventLoop;
import io.vertx.core.Context;
import io.vertx.core.impl.ContextInternal;

/**
 * Hands tasks to Vert.x contexts in batches, one per event loop: a task handed while its event loop's batch waits to
 * run joins that batch, and each runs on its own context (as {@code runOnContext} would run it), in the order handed.
 * <p>
 * Why: a change goes to every subscription it concerns, each of which is drained on its connection's context. One
 * {@code runOnContext} per subscription and change made a task in that event loop's queue and, when the loop slept,
 * a wake-up of its selector (a system call) for each; a change for 50 subscribers on the other event loop cost 50.
 * Batched, it costs one task and one wake-up per event loop and batch. Event loops are few and fixed, so the map of
 * batches stays as small as they are.
 */
final class ContextHandOff {

    /** The most tasks a batch runs in one turn of its event loop; the rest go on in a later turn, behind I/O. */
    static final int TURN = 1_024;

    private final ConcurrentHashMap<EventLoop, Batch> batches = new ConcurrentHashMap<>();

    /** Runs tasks on {@code context}, batched with others for its event loop. */
    Executor to(Context context) {
        ContextInternal target = (ContextInternal) context;
        Batch batch = batches.computeIfAbsent(target.nettyEventLoop(), Batch::new);
        return task -> batch.hand(target, task);
    }

    private record Task(ContextInternal context, Runnable work) {
    }

    /** The tasks waiting for one event loop, and whether a turn of it is scheduled to run them. */
    private static final class Batch {
        private final EventLoop loop;
        private final Queue<Task> tasks = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean scheduled = new AtomicBoolean();

        Batch(EventLoop loop) {
            this.loop = loop;
        }

        void hand(ContextInternal context, Runnable work) {
            tasks.add(new Task(context, work));
            if (scheduled.compareAndSet(false, true)) {
                loop.execute(this::run);
            }
        }

        /** On the event loop. */
        private void run() {
            for (int ran = 0; ran < TURN; ran++) {
                Task next = tasks.poll();
                if (next == null) {
                    scheduled.set(false);
                    // A task handed between the poll and the reset found a turn scheduled and did not schedule one.
                    if (tasks.isEmpty() || !scheduled.compareAndSet(false, true)) {
                        return;
                    }
                    continue;
                }
                next.context().dispatch(next.work());
            }
            loop.execute(this::run);
        }
    }
}
