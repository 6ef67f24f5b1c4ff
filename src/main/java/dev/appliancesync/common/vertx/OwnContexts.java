package dev.appliancesync.common.vertx;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;

/**
 * A Vert.x context of its own for a component, made through public API: Vert.x gives every verticle deployment a
 * new context (an event loop's or a worker's, by threading model), so an empty verticle is deployed and its context
 * kept. Unlike casting to {@code VertxInternal} for {@code createEventLoopContext()}, this survives Vert.x upgrades,
 * and the context is closed with Vert.x (timers set on it are cancelled then).
 * <p>
 * It waits for the deployment, so it is called at start-up, never on a Vert.x thread (waiting there could wait for
 * the very event loop it blocks).
 */
public final class OwnContexts {

    private static final Duration DEPLOYMENT_WAIT = Duration.ofSeconds(30);

    private OwnContexts() {
    }

    /** A new event-loop context: what runs on it runs in order, on one event-loop thread. */
    public static Context eventLoop(Vertx vertx) {
        return deploy(vertx, ThreadingModel.EVENT_LOOP);
    }

    /** A new worker context: what runs on it runs in order, one task at a time, on worker threads. */
    public static Context worker(Vertx vertx) {
        return deploy(vertx, ThreadingModel.WORKER);
    }

    private static Context deploy(Vertx vertx, ThreadingModel model) {
        if (Context.isOnVertxThread()) {
            throw new IllegalStateException("A context of its own is made at start-up, not on a Vert.x thread");
        }
        CompletableFuture<Context> started = new CompletableFuture<>();
        vertx.deployVerticle(new AbstractVerticle() {
            @Override
            public void start() {
                started.complete(context);
            }
        }, new DeploymentOptions().setThreadingModel(model)).onFailure(started::completeExceptionally);
        try {
            return started.get(DEPLOYMENT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while making a Vert.x context", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Could not make a Vert.x " + model + " context", e);
        }
    }
}
