package dev.appliancesync.benchmark;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;

/**
 * The floor for anything that consumes device traffic: a bare MQTT subscriber (vertx-mqtt, QoS 1, its own connection
 * and a Vert.x of its own with one event loop) on the same broker as the service, so a benchmark can measure it side by
 * side with the service in the same run. It only hands each message to a handler on its event loop; {@link #cpuNanos}
 * is that thread's CPU time.
 */
public final class PlainMqttSubscriber implements AutoCloseable {

    private static final Duration BOUND = Duration.ofSeconds(10);
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    private final MqttClient client;
    private final Set<Long> threads = ConcurrentHashMap.newKeySet();

    /**
     * Connects and subscribes to {@code topicFilters} (not a shared subscription: it gets its own copy of everything);
     * returns once the broker acknowledged the subscription (SUBACK), so nothing published afterwards is missed.
     */
    public PlainMqttSubscriber(String host, int port, List<String> topicFilters, BiConsumer<String, Buffer> handler)
            throws Exception {
        client = MqttClient.create(vertx, new MqttClientOptions().setClientId("plain-" + UUID.randomUUID())
                .setMaxMessageSize(512 * 1024).setAutoKeepAlive(true));
        client.publishHandler(message -> {
            threads.add(Thread.currentThread().threadId());
            handler.accept(message.topicName(), message.payload());
        });
        client.connect(port, host).toCompletionStage().toCompletableFuture().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        CompletableFuture<Void> subscribed = new CompletableFuture<>();
        client.subscribeCompletionHandler(ack -> subscribed.complete(null));
        Map<String, Integer> filters = new LinkedHashMap<>();
        topicFilters.forEach(filter -> filters.put(filter, MqttQoS.AT_LEAST_ONCE.value()));
        client.subscribe(filters);
        subscribed.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The thread(s) that have received messages so far. */
    public Set<Long> threadIds() {
        return Set.copyOf(threads);
    }

    /** CPU time of the thread(s) that have received messages so far, in nanoseconds. */
    public long cpuNanos() {
        return threads.stream().mapToLong(THREADS::getThreadCpuTime).filter(t -> t >= 0).sum();
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
    }
}
