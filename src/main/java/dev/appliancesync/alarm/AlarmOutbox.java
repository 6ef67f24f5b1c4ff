package dev.appliancesync.alarm;

import java.nio.charset.StandardCharsets;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.metrics.ServiceMetrics;
import dev.appliancesync.common.mqtt.BrokerConnection;
import io.micrometer.core.instrument.Counter;
import io.smallrye.mutiny.Uni;

/**
 * Publishes the alarm messages waiting in the outbox to {@code appliances/{thing}/alarms}, QoS 1, oldest first, and
 * deletes each on the broker's PUBACK. Messages are leased as commands are ({@code for update skip locked}, the lease
 * pushed into {@code next_attempt_at}), so instances share them and a dead instance's come due again; a message may
 * therefore be delivered more than once, and the device de-duplicates on {@code messageId}.
 */
@ApplicationScoped
public class AlarmOutbox {

    private static final Logger LOG = Logger.getLogger(AlarmOutbox.class);

    private final Transactions db;
    private final AlarmRepository alarms;
    private final BrokerConnection broker;
    private final AlarmsConfig config;
    private final Counter publishFailed;

    public AlarmOutbox(Transactions db, AlarmRepository alarms, BrokerConnection broker, AlarmsConfig config,
            ServiceMetrics metrics) {
        this.db = db;
        this.alarms = alarms;
        this.broker = broker;
        this.config = config;
        this.publishFailed = metrics.alarmsPublishFailed();
    }

    /** Publishes a batch of due messages, one after another (a device gets RAISED before CLEARED); how many. */
    public Uni<Integer> publishDue() {
        return alarms.claimMessages(db.reads(), config.batchSize(), config.publishLease().toSeconds())
                .flatMap(claimed -> {
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (AlarmRepository.Message message : claimed) {
                        chain = chain.call(() -> publish(message));
                    }
                    return chain.replaceWith(claimed.size());
                });
    }

    private Uni<Void> publish(AlarmRepository.Message message) {
        return Uni.createFrom().deferred(() -> broker.publish(config.topicFor(message.thingName()),
                        message.payload().encode().getBytes(StandardCharsets.UTF_8)))
                .ifNoItem().after(config.publishLease()).fail()
                .call(() -> alarms.delivered(db.reads(), message.id()))
                .onFailure().recoverWithItem(failure -> {
                    publishFailed.increment();
                    LOG.infof("Alarm message %s to %s not published (retried after the lease): %s", message.id(),
                            message.thingName(), failure.toString());
                    return null;
                });
    }
}
