package dev.appliancesync.ingest.mqtt;

import java.util.List;
import java.util.concurrent.CompletableFuture;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.ingest.DeadLetters;
import dev.appliancesync.ingest.DeviceIngestion;
import dev.appliancesync.ingest.IngestConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.impl.VertxInternal;
import io.smallrye.reactive.messaging.mqtt.ReceivingMqttMessageMetadata;

/**
 * The device topics' MQTT channels, merged into one stream and applied in batches (one transaction each, at most
 * {@code batch-size} messages: whatever arrived while the previous batch was being applied).
 * <p>
 * The connector acknowledges each message (PUBACK) when it receives it, not when its batch is applied: a crash loses
 * what was received and not yet applied (at most the waiting queue). Acknowledging after the commit needs the
 * connector to stop acknowledging by itself, which it does not offer.
 */
@ApplicationScoped
public class DeviceMessageSource {

    /** Channel names; their topics are in application.properties under {@code mp.messaging.incoming.<name>}. */
    public static final String SHADOWS = "device-shadows";
    public static final String NAMED_SHADOWS = "device-named-shadows";
    public static final String TELEMETRY = "device-telemetry";
    public static final String CONNECTED = "device-connected";
    public static final String DISCONNECTED = "device-disconnected";
    public static final String PROVISIONED = "device-provisioned";
    public static final String EVENTS = "device-events";

    private static final Logger LOG = Logger.getLogger(DeviceMessageSource.class);

    private final List<Multi<Message<byte[]>>> channels;
    private final DeviceIngestion ingestion;
    private final DeadLetters deadLetters;
    private final Transactions db;
    private final IngestConfig config;
    private final Counter received;
    private BatchingSubscriber<Message<byte[]>> running;

    public DeviceMessageSource(@Channel(SHADOWS) Multi<Message<byte[]>> shadows,
            @Channel(NAMED_SHADOWS) Multi<Message<byte[]>> namedShadows,
            @Channel(TELEMETRY) Multi<Message<byte[]>> telemetry,
            @Channel(CONNECTED) Multi<Message<byte[]>> connected,
            @Channel(DISCONNECTED) Multi<Message<byte[]>> disconnected,
            @Channel(PROVISIONED) Multi<Message<byte[]>> provisioned,
            @Channel(EVENTS) Multi<Message<byte[]>> events,
            DeviceIngestion ingestion, DeadLetters deadLetters, Transactions db, IngestConfig config,
            MeterRegistry metrics) {
        this.channels = List.of(shadows, namedShadows, telemetry, connected, disconnected, provisioned, events);
        this.ingestion = ingestion;
        this.deadLetters = deadLetters;
        this.db = db;
        this.config = config;
        this.received = Counter.builder("appliance_sync.ingest.messages")
                .description("Device messages received (applied or dead-lettered)").register(metrics);
    }

    void start(@Observes StartupEvent started, Vertx vertx) {
        // A worker context of its own: batches are applied one after the other off the connections' event loops, and
        // the database's answers come back to the same context.
        Context applying = ((VertxInternal) vertx).createWorkerContext();
        BatchingSubscriber<Message<byte[]>> batches = new BatchingSubscriber<>(config.batchSize(),
                config.maxWaiting(), this::apply, task -> applying.runOnContext(ignored -> task.run()),
                this::overloaded);
        Multi.createBy().merging().streams(channels).subscribe().withSubscriber(batches);
        running = batches;
    }

    void stop(@Observes ShutdownEvent stopping) {
        if (running != null) {
            running.cancel();
        }
    }

    /** More waiting than the bound allows: kept as a dead letter, acknowledged, counted. */
    private void overloaded(Message<byte[]> message) {
        DeviceIngestion.Inbound inbound = inbound(message);
        received.increment();
        deadLetters.write(db.reads(), List.of(new DeadLetters.Rejected(inbound.topic(), "OVERLOADED",
                        "More than " + config.maxWaiting() + " device messages waiting", inbound.payload())))
                .subscribe().with(done -> message.ack());
    }

    private static DeviceIngestion.Inbound inbound(Message<byte[]> message) {
        return new DeviceIngestion.Inbound(
                message.getMetadata(ReceivingMqttMessageMetadata.class).map(ReceivingMqttMessageMetadata::getTopic)
                        .orElse(""),
                message.getPayload() == null ? new byte[0] : message.getPayload());
    }

    private Uni<Void> apply(List<Message<byte[]>> batch) {
        List<DeviceIngestion.Inbound> inbound = batch.stream().map(DeviceMessageSource::inbound).toList();
        received.increment(batch.size());
        return ingestion.apply(inbound)
                .chain(() -> Uni.createFrom().completionStage(CompletableFuture.allOf(
                        batch.stream().map(message -> message.ack().toCompletableFuture())
                                .toArray(CompletableFuture[]::new))))
                .replaceWithVoid()
                .onFailure().invoke(failure -> LOG.errorf(failure, "A batch of %d device messages was not applied",
                        batch.size()))
                .onFailure().recoverWithNull();
    }
}
