package dev.appliancesync.ingest;

import java.util.Arrays;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.appliancesync.common.metrics.ServiceMetrics;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Messages that could not be applied: kept with the reason, the topic and a bounded copy of the payload (the table's
 * limit), and counted per reason ({@code appliance_sync.ingest.dead_letters}). A message is acknowledged to the broker
 * only once its dead letter is committed, so a failure to write one reaches the caller.
 */
@ApplicationScoped
public class DeadLetters {

    /** What {@code dead_letter.payload} keeps of a payload. */
    public static final int COPY_BYTES = 8192;
    private static final Logger LOG = Logger.getLogger(DeadLetters.class);
    private static final String INSERT = """
            insert into dead_letter (source, topic, reason, detail, payload, payload_size)
            values ('MQTT', left($1, 512), $2, left($3, 2000), $4, $5)""";

    /** One rejected message: why, and what it was. */
    public record Rejected(String topic, String reason, String detail, byte[] payload) {
    }

    private final ServiceMetrics metrics;

    public DeadLetters(ServiceMetrics metrics) {
        this.metrics = metrics;
    }

    /** Writes them with {@code client} (a transaction, or the pool); fails if they could not be written. */
    public Uni<Void> write(SqlClient client, List<Rejected> rejected) {
        if (rejected.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Tuple> rows = rejected.stream().map(r -> Tuple.from(new Object[] { r.topic(), r.reason(), r.detail(),
                Buffer.buffer(Arrays.copyOf(r.payload(), Math.min(r.payload().length, COPY_BYTES))),
                r.payload().length })).toList();
        return client.preparedQuery(INSERT).executeBatch(rows)
                .invoke(() -> rejected.forEach(r -> metrics.ingestDeadLetters(r.reason()).increment()))
                .replaceWithVoid()
                .onFailure().invoke(e -> LOG.warnf("Could not dead-letter %d messages: %s", rejected.size(), e));
    }
}
