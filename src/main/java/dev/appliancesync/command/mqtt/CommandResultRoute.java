package dev.appliancesync.command.mqtt;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import dev.appliancesync.common.mqtt.BrokerConnection;
import dev.appliancesync.common.mqtt.UntilDone;
import dev.appliancesync.ingest.IngestConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Command results from the broker to {@link CommandResultConsumer}, each acknowledged only once its effect (or its
 * dead letter) is committed; while the database is away a result is tried again, not acknowledged.
 */
@ApplicationScoped
public class CommandResultRoute {

    private final BrokerConnection broker;
    private final CommandResultConsumer consumer;
    private final DeviceTopicsConfig topics;
    private final IngestConfig ingest;
    private volatile boolean running = true;

    public CommandResultRoute(BrokerConnection broker, CommandResultConsumer consumer, DeviceTopicsConfig topics,
            IngestConfig ingest) {
        this.broker = broker;
        this.consumer = consumer;
        this.topics = topics;
        this.ingest = ingest;
    }

    /** Before the broker connection starts (it observes the same event later). */
    void start(@Observes StartupEvent started) {
        UntilDone untilCommitted = new UntilDone(ingest.retryDelay(), ingest.retryMaxDelay(), () -> running);
        broker.route(ingest.subscription(topics.commandResults()), message -> untilCommitted
                .run("The command result on " + message.topic(), () -> consumer.consume(message.topic(),
                        message.payload()))
                .subscribe().with(done -> message.ack(), failure -> {
                    // Only when stopping: not acknowledged, so the broker redelivers it.
                }));
    }

    void stop(@Observes ShutdownEvent stopping) {
        running = false;
    }
}
