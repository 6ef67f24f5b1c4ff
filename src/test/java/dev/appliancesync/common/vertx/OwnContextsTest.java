package dev.appliancesync.common.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.vertx.core.Context;
import io.vertx.core.Vertx;

/** What BrokerConnection and DeviceMessageSource rely on from the contexts they are given. */
class OwnContextsTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void eachEventLoopContextIsNewAndRunsOnAnEventLoop() throws Exception {
        Context first = OwnContexts.eventLoop(vertx);
        Context second = OwnContexts.eventLoop(vertx);

        assertThat(first).isNotSameAs(second);
        assertThat(first.isEventLoopContext()).isTrue();
        assertThat(onContext(first, Context::isOnEventLoopThread)).isTrue();
        assertThat(onContext(first, () -> Vertx.currentContext() == first)).isTrue();
    }

    @Test
    void aWorkerContextRunsItsTasksOneAfterTheOtherOffTheEventLoop() throws Exception {
        Context worker = OwnContexts.worker(vertx);
        assertThat(worker.isWorkerContext()).isTrue();

        List<String> seen = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        int tasks = 50;
        for (int i = 0; i < tasks; i++) {
            int task = i;
            worker.runOnContext(ignored -> {
                seen.add(task + (Context.isOnWorkerThread() ? "" : " not on a worker"));
                if (task == tasks - 1) {
                    done.complete(null);
                }
            });
        }
        done.get(10, TimeUnit.SECONDS);

        assertThat(seen).containsExactlyElementsOf(
                IntStream.range(0, tasks).mapToObj(String::valueOf).toList());
    }

    @Test
    void refusesToWaitOnAVertxThread() throws Exception {
        Context context = OwnContexts.eventLoop(vertx);
        CompletableFuture<Throwable> refused = new CompletableFuture<>();
        context.runOnContext(ignored -> {
            try {
                OwnContexts.worker(vertx);
                refused.complete(null);
            } catch (Throwable e) {
                refused.complete(e);
            }
        });

        assertThat(refused.get(10, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("not on a Vert.x thread");
    }

    private static boolean onContext(Context context, BooleanSupplier read) throws Exception {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        context.runOnContext(ignored -> result.complete(read.getAsBoolean()));
        return result.get(10, TimeUnit.SECONDS);
    }
}
