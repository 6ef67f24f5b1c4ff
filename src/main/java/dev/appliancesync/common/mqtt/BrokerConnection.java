package dev.appliancesync.common.mqtt;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.jboss.logging.Logger;

import dev.appliancesync.common.metrics.ServiceMetrics;
import dev.appliancesync.common.retry.Backoff;
import dev.appliancesync.common.vertx.OwnContexts;
import io.micrometer.core.instrument.Counter;
import io.netty.handler.codec.mqtt.MqttConnectReturnCode;
import io.netty.handler.codec.mqtt.MqttQoS;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.JksOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.PfxOptions;
import io.vertx.mqtt.MqttClient;
import io.vertx.mqtt.MqttClientOptions;
import io.vertx.mqtt.messages.MqttConnAckMessage;
import io.vertx.mqtt.messages.MqttPublishMessage;
import io.vertx.mqtt.messages.MqttSubAckMessage;

/**
 * The service's MQTT connection (Vert.x MQTT client, MQTT 3.1.1): device input in, commands out. Unlike the SmallRye
 * connector it replaces, it never acknowledges a message by itself: whoever handles a message acknowledges it once
 * its effect is committed ({@link InboundMessage#ack()}). So the broker keeps every message we have not applied, and
 * its in-flight window (mosquitto's {@code max_inflight_messages}, IoT Core's own) is how many wait here at most.
 * <p>
 * Handlers are routed by topic filter and registered before the application starts; the publish handler is in place
 * before CONNECT, so the messages a persistent session holds, which the broker sends right after CONNACK, are
 * handled like any other. The connection is made once the application has started (after Flyway, with every route
 * registered), and made again with a growing delay whenever it is lost or refused; each connection subscribes again.
 * <p>
 * Packet ids belong to a connection: a PUBACK for a message that came on an earlier connection would acknowledge
 * whatever the new one gave that id. Each message is therefore tagged with its connection, and its acknowledgement
 * dropped (counted as stale) if that connection is gone; the broker redelivers it on the new connection, and the
 * handlers are idempotent. All state lives on one event-loop context of its own.
 */
@ApplicationScoped
public class BrokerConnection {

    /** What readiness reports. */
    public record Status(boolean connected, boolean subscribed, long connection, String clientId, String broker,
            List<String> refusedSubscriptions) {
        public boolean ready() {
            return connected && subscribed;
        }
    }

    private static final Logger LOG = Logger.getLogger(BrokerConnection.class);
    private static final int QOS_FAILURE = 0x80;

    private final Vertx vertx;
    private final MqttConnectionConfig config;
    private final Backoff reconnects;
    private final List<Route> routes = new CopyOnWriteArrayList<>();
    private final Counter established;
    private final Counter losses;
    private final Counter staleAcks;
    private final Context context;

    // Only read and written on the context (volatile where readiness reads them from elsewhere).
    private volatile Connection current;
    private volatile boolean started;
    private boolean running;
    private long generations;
    private int failedAttempts;
    private long reconnectTimer = -1;

    private record Route(TopicFilter filter, Consumer<InboundMessage> handler) {
    }

    public BrokerConnection(Vertx vertx, MqttConnectionConfig config, ServiceMetrics metrics) {
        this.vertx = vertx;
        this.config = config;
        this.reconnects = new Backoff(config.reconnectDelay(), config.reconnectMaxDelay(), new Random());
        this.context = OwnContexts.eventLoop(vertx);
        this.established = metrics.mqttConnections();
        this.losses = metrics.mqttConnectionLosses();
        this.staleAcks = metrics.mqttStaleAcks();
    }

    /**
     * Hands every message matching {@code filter} to {@code handler} (on the connection's event loop: hand the work
     * on). Subscribed at QoS 1 on every connection. Only before the application has started.
     */
    public void route(TopicFilter filter, Consumer<InboundMessage> handler) {
        if (started) {
            throw new IllegalStateException("Routes are registered before the MQTT connection starts: " + filter);
        }
        routes.add(new Route(filter, handler));
    }

    /** Late among the start-up observers: every route is registered, the database migrated. */
    void start(@Observes @Priority(Interceptor.Priority.LIBRARY_AFTER) StartupEvent startup) {
        started = true;
        context.runOnContext(ignored -> {
            running = true;
            connect();
        });
    }

    void stop(@Observes ShutdownEvent shutdown) {
        java.util.concurrent.CompletableFuture<Void> stopped = new java.util.concurrent.CompletableFuture<>();
        context.runOnContext(ignored -> {
            running = false;
            if (reconnectTimer >= 0) {
                vertx.cancelTimer(reconnectTimer);
            }
            Connection connection = current;
            if (connection != null && connection.client.isConnected()) {
                // DISCONNECT: a persistent session stays with the broker, holding what was not acknowledged.
                connection.client.disconnect().onComplete(done -> stopped.complete(null));
            } else {
                stopped.complete(null);
            }
        });
        try {
            stopped.get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warnf("The MQTT connection did not close within 5 s: %s", e.toString());
        }
    }

    /**
     * Publishes at QoS 1; completes when the broker has acknowledged the message (PUBACK). Fails when not connected,
     * when the connection is lost before the PUBACK, or when none comes within {@code publish-ack-timeout} (the
     * message may still have reached the broker: the caller retries, so a receiver may see it twice).
     */
    public Uni<Void> publish(String topic, byte[] payload) {
        return Uni.createFrom().emitter(emitter -> context.runOnContext(ignored -> {
            Connection connection = current;
            if (connection == null || !connection.connected || connection.lost) {
                emitter.fail(new BrokerUnavailableException("Not connected to the MQTT broker " + broker()));
                return;
            }
            connection.client.publish(topic, Buffer.buffer(payload), MqttQoS.AT_LEAST_ONCE, false, false)
                    .onComplete(sent -> {
                        if (sent.failed()) {
                            emitter.fail(sent.cause());
                        } else {
                            connection.awaitPubAck(sent.result(), emitter);
                        }
                    });
        }));
    }

    public Status status() {
        Connection connection = current;
        return new Status(connection != null && connection.connected && !connection.lost,
                connection != null && connection.subscribed && !connection.lost,
                connection == null ? 0 : connection.generation, config.clientId(), broker(),
                connection == null ? List.of() : List.copyOf(connection.refused));
    }

    private String broker() {
        return config.host() + ":" + config.port();
    }

    private void connect() {
        if (!running) {
            return;
        }
        reconnectTimer = -1;
        Connection connection = new Connection(++generations, MqttClient.create(vertx, options()));
        current = connection;
        MqttClient client = connection.client;
        // Before CONNECT: a persistent session's messages come right after CONNACK, before any SUBSCRIBE.
        client.publishHandler(message -> received(connection, message));
        client.publishCompletionHandler(connection::pubAck);
        client.publishCompletionExpirationHandler(connection::pubAckExpired);
        client.subscribeCompletionHandler(connection::subAck);
        client.closeHandler(ignored -> lost(connection, null));
        client.exceptionHandler(failure -> LOG.debugf("MQTT connection %d: %s", connection.generation, failure));
        client.connect(config.port(), config.host(), config.serverName().orElse(config.host())).onComplete(done -> {
            if (done.failed()) {
                lost(connection, done.cause());
            } else {
                connected(connection, done.result());
            }
        });
    }

    private void connected(Connection connection, MqttConnAckMessage connAck) {
        if (connAck.code() != MqttConnectReturnCode.CONNECTION_ACCEPTED) {
            lost(connection, new IllegalStateException("Broker refused the connection: " + connAck.code()));
            return;
        }
        connection.connected = true;
        failedAttempts = 0;
        established.increment();
        LOG.infof("MQTT connection %d to %s established as %s (clean session %s, session present %s)",
                connection.generation, broker(), config.clientId(), config.autoCleanSession(),
                connAck.isSessionPresent());
        if (routes.isEmpty()) {
            connection.subscribed = true;
            return;
        }
        // One SUBSCRIBE per filter, as the SmallRye connector did: the embedded HiveMQ stopped delivering a shared
        // subscription's messages to a persistent session that came back and subscribed to all its filters in one
        // SUBSCRIBE (TwoInstancesIT: every message to the other instance after a restart).
        connection.awaitingSubAcks = routes.size();
        for (Route route : routes) {
            String filter = route.filter().subscription();
            connection.client.subscribe(filter, MqttQoS.AT_LEAST_ONCE.value()).onComplete(sent -> {
                if (sent.succeeded()) {
                    connection.subscribing.put(sent.result(), filter);
                } else {
                    LOG.errorf("MQTT connection %d could not subscribe to %s: %s", connection.generation, filter,
                            sent.cause());
                }
            });
        }
    }

    private void lost(Connection connection, Throwable cause) {
        if (connection.lost || connection != current) {
            return;
        }
        connection.lost = true;
        connection.failPending(cause == null ? "the connection was lost" : cause.toString());
        losses.increment();
        failedAttempts++;
        if (!running) {
            return;
        }
        // The ceiling, not a random wait below it: one connection per instance needs no spreading, and a fixed wait
        // says when the next attempt comes.
        Duration delay = reconnects.ceiling(failedAttempts);
        String reason = cause == null ? "lost" : "failed: " + causes(cause);
        if (cause != null && failedAttempts == 1) {
            LOG.warnf(cause, "MQTT connection %d to %s %s; reconnecting in %d ms", connection.generation, broker(),
                    reason, delay.toMillis());
        } else {
            LOG.warnf("MQTT connection %d to %s %s; reconnecting in %d ms (attempt %d)", connection.generation,
                    broker(), reason, delay.toMillis(), failedAttempts);
        }
        reconnectTimer = vertx.setTimer(Math.max(1, delay.toMillis()), ignored -> context.runOnContext(again -> connect()));
    }

    private void received(Connection connection, MqttPublishMessage message) {
        Inbound inbound = new Inbound(connection, message);
        for (Route route : routes) {
            if (route.filter().matches(message.topicName())) {
                route.handler().accept(inbound);
                return;
            }
        }
        // Subscribed to nothing that matches: no handler will ever apply it, and unacknowledged it would come back
        // on every connection.
        LOG.warnf("MQTT message on %s matches no route; acknowledged without effect", message.topicName());
        inbound.ack();
    }

    private MqttClientOptions options() {
        MqttClientOptions options = new MqttClientOptions()
                .setClientId(config.clientId())
                .setCleanSession(config.autoCleanSession())
                .setMaxMessageSize(config.maxMessageSize())
                .setMaxInflightQueue(config.maxInflightPublishes())
                .setAckTimeout((int) Math.max(1, config.publishAckTimeout().toSeconds()));
        options.setAutoAck(false);
        config.username().ifPresent(options::setUsername);
        config.password().ifPresent(options::setPassword);
        if (config.ssl()) {
            options.setSsl(true);
            config.hostnameVerificationAlgorithm().ifPresent(options::setHostnameVerificationAlgorithm);
            MqttConnectionConfig.Store key = config.keystore();
            key.location().ifPresent(location -> {
                switch (key.type().toLowerCase(java.util.Locale.ROOT)) {
                    case "pem" -> options.setKeyCertOptions(new PemKeyCertOptions().setCertPath(location)
                            .setKeyPath(key.password().orElseThrow(() -> new IllegalStateException(
                                    "ssl.keystore.password must name the PEM private key's file"))));
                    case "jks" -> options.setKeyCertOptions(new JksOptions().setPath(location)
                            .setPassword(key.password().orElse(null)));
                    case "pkcs12" -> options.setKeyCertOptions(new PfxOptions().setPath(location)
                            .setPassword(key.password().orElse(null)));
                    default -> throw new IllegalStateException("Unknown keystore type " + key.type());
                }
            });
            MqttConnectionConfig.Store trust = config.truststore();
            trust.location().ifPresent(location -> {
                switch (trust.type().toLowerCase(java.util.Locale.ROOT)) {
                    case "pem" -> options.setTrustOptions(new PemTrustOptions().addCertPath(location));
                    case "jks" -> options.setTrustOptions(new JksOptions().setPath(location)
                            .setPassword(trust.password().orElse(null)));
                    case "pkcs12" -> options.setTrustOptions(new PfxOptions().setPath(location)
                            .setPassword(trust.password().orElse(null)));
                    default -> throw new IllegalStateException("Unknown truststore type " + trust.type());
                }
            });
        }
        return options;
    }

    private static String causes(Throwable failure) {
        StringBuilder text = new StringBuilder(String.valueOf(failure));
        for (Throwable cause = failure.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            text.append(" <- ").append(cause);
        }
        return text.toString();
    }

    /** One connection of the session: its client, its packet ids, its state. Touched on the context only. */
    private final class Connection {

        final long generation;
        final MqttClient client;
        volatile boolean connected;
        volatile boolean subscribed;
        volatile boolean lost;
        final List<String> refused = new CopyOnWriteArrayList<>();
        /** SUBSCRIBE packet id → its filter, until the SUBACK. */
        final Map<Integer, String> subscribing = new HashMap<>();
        int awaitingSubAcks;
        /** Our publishes waiting for their PUBACK, by packet id. */
        final Map<Integer, UniEmitter<? super Void>> awaitingPubAck = new HashMap<>();
        /** PUBACKs that came before their publish's write completed (the two race on the event loop). */
        final Set<Integer> earlyPubAcks = new HashSet<>();

        Connection(long generation, MqttClient client) {
            this.generation = generation;
            this.client = client;
        }

        void awaitPubAck(int packetId, UniEmitter<? super Void> emitter) {
            if (earlyPubAcks.remove(packetId)) {
                emitter.complete(null);
            } else if (lost) {
                emitter.fail(new BrokerUnavailableException("The MQTT connection was lost before the PUBACK"));
            } else {
                awaitingPubAck.put(packetId, emitter);
            }
        }

        void pubAck(int packetId) {
            UniEmitter<? super Void> emitter = awaitingPubAck.remove(packetId);
            if (emitter != null) {
                emitter.complete(null);
            } else {
                earlyPubAcks.add(packetId);
            }
        }

        void pubAckExpired(int packetId) {
            UniEmitter<? super Void> emitter = awaitingPubAck.remove(packetId);
            if (emitter != null) {
                emitter.fail(new TimeoutException("No PUBACK within " + config.publishAckTimeout()));
            }
        }

        void subAck(MqttSubAckMessage subAck) {
            String filter = subscribing.remove(subAck.messageId());
            if (filter == null) {
                return;
            }
            List<Integer> granted = subAck.grantedQoSLevels();
            int qos = granted.isEmpty() ? QOS_FAILURE : granted.get(0);
            if (qos == QOS_FAILURE) {
                refused.add(filter);
                LOG.errorf("MQTT subscription refused by the broker: %s (connection %d)", filter, generation);
            } else {
                LOG.infof("MQTT subscription granted: %s (QoS %d, connection %d)", filter, qos, generation);
            }
            awaitingSubAcks--;
            subscribed = awaitingSubAcks == 0 && refused.isEmpty();
        }

        void failPending(String why) {
            List<UniEmitter<? super Void>> waiting = new ArrayList<>(awaitingPubAck.values());
            awaitingPubAck.clear();
            waiting.forEach(emitter -> emitter.fail(new BrokerUnavailableException(
                    "The MQTT connection ended before the PUBACK (" + why + ")")));
        }
    }

    /** A received message, acknowledged on its own connection only. */
    private final class Inbound implements InboundMessage {

        private final Connection connection;
        private final MqttPublishMessage message;
        private final byte[] payload;
        private final long receivedNanos = System.nanoTime();
        private final AtomicBoolean acknowledged = new AtomicBoolean();

        Inbound(Connection connection, MqttPublishMessage message) {
            this.connection = connection;
            this.message = message;
            this.payload = message.payload() == null ? new byte[0] : message.payload().getBytes();
        }

        @Override
        public String topic() {
            return message.topicName();
        }

        @Override
        public byte[] payload() {
            return payload;
        }

        @Override
        public long receivedNanos() {
            return receivedNanos;
        }

        @Override
        public boolean redelivered() {
            return message.isDup();
        }

        @Override
        public void ack() {
            if (!acknowledged.compareAndSet(false, true)) {
                return;
            }
            context.runOnContext(ignored -> {
                if (connection == current && !connection.lost && connection.client.isConnected()) {
                    message.ack();
                } else {
                    staleAcks.increment();
                }
            });
        }
    }
}
