package dev.appliancesync.cluster;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import io.netty.handler.codec.mqtt.MqttQoS;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;

/**
 * Devices' QoS 1 messages, published over a few MQTT connections at a fixed rate until the broker has acknowledged
 * every one of them (PUBACK): from then on the broker owns them, and whatever the service loses is the service's. A
 * connection that breaks (the broker restarts) is opened again and what it had not had acknowledged is published
 * again, as a device's MQTT client does; a message may so arrive twice, never not at all.
 * <p>
 * Each connection has its own thread and at most {@code window} messages waiting for their PUBACK.
 */
final class AtLeastOncePublisher implements AutoCloseable {

    /** One message: where to, and what. */
    record Message(String topic, String payload) {
    }

    /** How long one connection may take to open again (the broker restarting) before the publisher gives up. */
    private static final Duration RECONNECT_WAIT = Duration.ofSeconds(60);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration POLL = Duration.ofMillis(50);

    private final Vertx vertx = Vertx.vertx();
    private final String host;
    private final int port;
    private final int window;
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicInteger reconnects = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final int total;

    private AtLeastOncePublisher(String host, int port, int window, int total) {
        this.host = host;
        this.port = port;
        this.window = window;
        this.total = total;
    }

    /**
     * Starts publishing: {@code perConnection.get(i)} in its order over connection {@code i}, all of them together at
     * {@code perSecond} messages a second.
     */
    static AtLeastOncePublisher start(String host, int port, List<List<Message>> perConnection, double perSecond,
            int window) {
        AtLeastOncePublisher publisher = new AtLeastOncePublisher(host, port, window,
                perConnection.stream().mapToInt(List::size).sum());
        double connectionRate = perSecond / perConnection.size();
        for (int i = 0; i < perConnection.size(); i++) {
            List<Message> messages = perConnection.get(i);
            Thread thread = Thread.ofPlatform().name("publisher-" + i).daemon().unstarted(() -> {
                try {
                    publisher.publishAll(messages, connectionRate);
                } catch (Throwable e) {
                    publisher.failure.compareAndSet(null, e);
                }
            });
            publisher.threads.add(thread);
        }
        publisher.threads.forEach(Thread::start);
        return publisher;
    }

    /** Messages the broker has acknowledged so far (a message published again counts once more). */
    long acknowledged() {
        return acknowledged.get();
    }

    /** Connections opened again after one broke. */
    int reconnects() {
        return reconnects.get();
    }

    /** Waits at most {@code wait} until the broker has acknowledged every message; fails saying how far it got. */
    void awaitAllAcknowledged(Duration wait) throws InterruptedException {
        Instant deadline = Instant.now().plus(wait);
        for (Thread thread : threads) {
            long left = Duration.between(Instant.now(), deadline).toMillis();
            if (left <= 0 || !thread.join(Duration.ofMillis(left))) {
                throw new AssertionError("The broker had acknowledged " + acknowledged() + " of " + total
                        + " messages after " + wait);
            }
        }
        if (failure.get() != null) {
            throw new AssertionError("Publishing failed after " + acknowledged() + " of " + total
                    + " acknowledgements", failure.get());
        }
    }

    private void publishAll(List<Message> messages, double perSecond) throws Exception {
        Deque<Message> again = new ArrayDeque<>();
        long started = System.nanoTime();
        long nanosApart = (long) (1e9 / perSecond);
        int next = 0;
        Connection connection = new Connection();
        try {
            while (next < messages.size() || !again.isEmpty() || connection.waiting() > 0) {
                if (connection.broken) {
                    again.addAll(connection.unacknowledged());
                    connection.close();
                    connection = reconnect();
                    continue;
                }
                if (again.isEmpty() && next == messages.size()) {
                    connection.awaitChange(POLL);
                    continue;
                }
                if (!connection.window.tryAcquire(POLL.toMillis(), TimeUnit.MILLISECONDS)) {
                    continue;
                }
                Message message;
                if (!again.isEmpty()) {
                    message = again.poll();
                } else {
                    // The pace: message n of this connection goes out n intervals after the start, not earlier.
                    long due = started + next * nanosApart;
                    for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                        LockSupport.parkNanos(wait);
                    }
                    message = messages.get(next++);
                }
                if (!connection.publish(message)) {
                    again.addFirst(message);
                }
            }
        } finally {
            connection.close();
        }
    }

    private Connection reconnect() throws InterruptedException {
        Instant deadline = Instant.now().plus(RECONNECT_WAIT);
        while (true) {
            try {
                Connection connection = new Connection();
                reconnects.incrementAndGet();
                return connection;
            } catch (Exception notYet) {
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("Could not connect to the broker again within " + RECONNECT_WAIT,
                            notYet);
                }
                Thread.sleep(POLL); // the broker is starting again: try again in a moment
            }
        }
    }

    /** One MQTT connection (clean session) and the messages it has sent and not had acknowledged. */
    private final class Connection implements AutoCloseable {

        /** Marks a PUBACK that came before its message was recorded as sent. */
        private static final Object ACKNOWLEDGED = new Object();

        private final MqttClient client;
        private final Semaphore window = new Semaphore(AtLeastOncePublisher.this.window);
        /** By packet id: the message waiting for its PUBACK, or {@link #ACKNOWLEDGED}. */
        private final Map<Integer, Object> sent = new ConcurrentHashMap<>();
        private volatile boolean broken;

        Connection() throws Exception {
            client = MqttClient.create(vertx, new MqttClientOptions().setClientId("fault-load-" + UUID.randomUUID())
                    .setMaxInflightQueue(2 * AtLeastOncePublisher.this.window).setMaxMessageSize(256 * 1024));
            client.publishCompletionHandler(this::acknowledged);
            client.closeHandler(closed -> {
                broken = true;
                changed();
            });
            try {
                client.connect(port, host).toCompletionStage().toCompletableFuture()
                        .get(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                close();
                throw e;
            }
        }

        /** Sends it (it then waits for its PUBACK); false if it could not be sent: the connection is gone. */
        boolean publish(Message message) {
            int packetId;
            try {
                packetId = client.publish(message.topic(), Buffer.buffer(message.payload().getBytes(
                                StandardCharsets.UTF_8)), MqttQoS.AT_LEAST_ONCE, false, false)
                        .toCompletionStage().toCompletableFuture().get(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                broken = true;
                return false;
            } catch (Exception e) {
                broken = true;
                return false;
            }
            sent.compute(packetId, (id, earlier) -> {
                if (earlier == ACKNOWLEDGED) {
                    done();
                    return null;
                }
                return message;
            });
            return true;
        }

        private void acknowledged(int packetId) {
            sent.compute(packetId, (id, message) -> {
                if (message == null) {
                    return ACKNOWLEDGED;
                }
                done();
                return null;
            });
        }

        private void done() {
            acknowledged.incrementAndGet();
            window.release();
            changed();
        }

        private synchronized void changed() {
            notifyAll();
        }

        int waiting() {
            return AtLeastOncePublisher.this.window - window.availablePermits();
        }

        /** The messages sent and not acknowledged, taken out (their PUBACK will not come on a broken connection). */
        List<Message> unacknowledged() {
            List<Message> left = new ArrayList<>();
            for (Integer id : List.copyOf(sent.keySet())) {
                Object message = sent.remove(id);
                if (message instanceof Message m) {
                    left.add(m);
                }
            }
            return left;
        }

        /** Waits at most {@code wait} for the next PUBACK or the connection to break. */
        synchronized void awaitChange(Duration wait) throws InterruptedException {
            if (waiting() > 0 && !broken) {
                wait(wait.toMillis());
            }
        }

        @Override
        public void close() {
            broken = true;
            if (client.isConnected()) {
                client.disconnect().toCompletionStage().toCompletableFuture().orTimeout(5, TimeUnit.SECONDS)
                        .exceptionally(e -> null).join();
            }
        }
    }

    @Override
    public void close() {
        threads.forEach(Thread::interrupt);
        vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null)
                .join();
    }
}
