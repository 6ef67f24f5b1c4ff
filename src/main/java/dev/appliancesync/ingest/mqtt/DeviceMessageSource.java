package dev.appliancesync.ingest.mqtt;

import java.util.List;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.appliancesync.common.metrics.ServiceMetrics;
import dev.appliancesync.common.mqtt.BrokerConnection;
import dev.appliancesync.common.mqtt.InboundMessage;
import dev.appliancesync.common.mqtt.UntilDone;
import dev.appliancesync.common.vertx.OwnContexts;
import dev.appliancesync.ingest.DeviceIngestion;
import dev.appliancesync.ingest.IngestConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * The device topics, applied in batches (one transaction each, at most {@code batch-size} messages: whatever arrived
 * while the previous batch was being applied), and acknowledged to the broker only once their batch has committed:
 * every message is applied or dead-lettered before the broker may forget it (at least once, from broker to database).
 * <p>
 * A batch the database cannot take (PostgreSQL away) is kept and tried again with a growing wait, never
 * dead-lettered and never acknowledged meanwhile; the broker, whose in-flight window is then full of our
 * unacknowledged messages, holds the rest. A crash or restart loses nothing the broker still has: it redelivers what
 * we had not acknowledged, and applying a message twice changes nothing.
 */
@ApplicationScoped
public class DeviceMessageSource {

    private final BrokerConnection broker;
    private final DeviceIngestion ingestion;
    private final IngestConfig config;
    private final Counter received;
    private final Timer queued;
    private final Timer applied;
    private final ServiceMetrics metrics;
    private volatile boolean running = true;
    private BatchingQueue<InboundMessage> batches;

    public DeviceMessageSource(BrokerConnection broker, DeviceIngestion ingestion, IngestConfig config,
            ServiceMetrics metrics) {
        this.broker = broker;
        this.ingestion = ingestion;
        this.config = config;
        this.metrics = metrics;
        this.received = metrics.ingestMessages();
        this.queued = metrics.devicePath(ServiceMetrics.DevicePathStage.QUEUED);
        this.applied = metrics.devicePath(ServiceMetrics.DevicePathStage.APPLIED);
    }

    /** Before the broker connection starts (it observes the same event later), so no message finds no route. */
    void start(@Observes StartupEvent started, Vertx vertx) {
        // A worker context of its own: batches are applied one after the other off the connection's event loop, and
        // the database's answers come back to the same context.
        Context applying = OwnContexts.worker(vertx);
        UntilDone untilCommitted = new UntilDone(config.retryDelay(), config.retryMaxDelay(), () -> running);
        BatchingQueue<InboundMessage> queue = new BatchingQueue<>(config.batchSize(),
                batch -> apply(batch, untilCommitted), task -> applying.runOnContext(ignored -> task.run()));
        metrics.ingestWaiting(queue, BatchingQueue::size);
        IngestConfig.Topics topics = config.topics();
        for (String filter : List.of(topics.shadow(), topics.namedShadow(), topics.telemetry(), topics.connected(),
                topics.disconnected(), topics.provisioned(), topics.events())) {
            broker.route(config.subscription(filter), message -> {
                received.increment();
                queue.add(message);
            });
        }
        batches = queue;
    }

    void stop(@Observes ShutdownEvent stopping) {
        running = false;
        if (batches != null) {
            batches.close();
        }
    }

    private Uni<Void> apply(List<InboundMessage> batch, UntilDone untilCommitted) {
        long started = System.nanoTime();
        batch.forEach(message -> queued.record(started - message.receivedNanos(), TimeUnit.NANOSECONDS));
        List<DeviceIngestion.Inbound> inbound = batch.stream()
                .map(message -> new DeviceIngestion.Inbound(message.topic(), message.payload())).toList();
        return untilCommitted.run("A batch of " + batch.size() + " device messages", () -> ingestion.apply(inbound))
                .invoke(() -> {
                    long committed = System.nanoTime() - started;
                    batch.forEach(message -> {
                        applied.record(committed, TimeUnit.NANOSECONDS);
                        message.ack();
                    });
                });
    }
}
