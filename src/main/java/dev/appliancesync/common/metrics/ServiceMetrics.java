package dev.appliancesync.common.metrics;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

import jakarta.inject.Singleton;

import dev.appliancesync.common.error.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Every meter the service reports, in one place: its name, tags, description and how it is built (as HiveMQ's
 * {@code MetricsHolder}). The classes that measure are given their meters here when they are made, so a meter
 * appears once its feature runs, and no name is written twice. Names are Micrometer's; Prometheus shows their dots as
 * underscores ({@code appliance_sync_ingest_messages_total}). Dashboards and alerts use these names: do not rename.
 * <p>
 * Gauges read the state of the object they are given (held weakly, as Micrometer does), so they are registered by
 * the object that holds it, with the function that reads it.
 */
@Singleton
public class ServiceMetrics {

    // Access decisions (access/)
    public static final String ACCESS_DECISION = "appliance_sync.access.decision";
    public static final String ACCESS_MEMO_HITS = "appliance_sync.access.decision.memo_hits";
    public static final String ACCESS_READ_DENIALS = "appliance_sync.access.read_denials";

    // Appliance claims (appliance/)
    public static final String CLAIM_CODE_CHECKS = "appliance_sync.claims.code_checks";
    public static final String CLAIM_RATE_LIMITED = "appliance_sync.claims.rate_limited";
    public static final String CLAIM_SERIAL_ALERTS = "appliance_sync.claims.serial_alerts";

    // GraphQL request limits (common/graphql)
    public static final String GRAPHQL_REQUESTS_LIMITED = "appliance_sync.graphql.requests.limited";
    public static final String GRAPHQL_RATE_LIMIT_CALLERS = "appliance_sync.graphql.rate_limit.callers";

    // Live changes and their connections (realtime/)
    public static final String REALTIME_DELIVERY_LAG = "appliance_sync.realtime.delivery_lag";
    public static final String REALTIME_DELIVERY_SLICE = "appliance_sync.realtime.delivery_slice";
    public static final String REALTIME_REVOCATION_CUTOFF = "appliance_sync.realtime.revocation_cutoff";
    public static final String REALTIME_EVENTS_DELIVERED = "appliance_sync.realtime.events.delivered";
    public static final String REALTIME_SUBSCRIPTIONS_ACTIVE = "appliance_sync.realtime.subscriptions.active";
    public static final String REALTIME_SUBSCRIPTIONS_DROPPED = "appliance_sync.realtime.subscriptions.dropped";
    public static final String REALTIME_SLOW_CONSUMERS_CLOSED = "appliance_sync.realtime.slow_consumers_closed";
    public static final String REALTIME_CONNECTIONS_ACTIVE = "appliance_sync.realtime.connections.active";
    public static final String REALTIME_CONNECTIONS_UNAUTHENTICATED =
            "appliance_sync.realtime.connections.unauthenticated";
    public static final String REALTIME_CONNECTIONS_LIMITED = "appliance_sync.realtime.connections.limited";
    public static final String REALTIME_ACCESS_LOADS = "appliance_sync.realtime.access_loads";
    public static final String REALTIME_ADMISSIONS_WAITING = "appliance_sync.realtime.admissions.waiting";
    public static final String REALTIME_ADMISSION_WAIT = "appliance_sync.realtime.admission_wait";

    // Signed-in users (identity/)
    public static final String IDENTITY_SIGN_INS = "appliance_sync.identity.sign_ins";

    // Device commands (command/)
    public static final String COMMANDS_TIMED_OUT = "appliance_sync.commands.timed_out";
    public static final String COMMANDS_PUBLISH_FAILED = "appliance_sync.commands.publish_failed";

    // Alarms (alarm/)
    public static final String ALARMS_RAISED = "appliance_sync.alarms.raised";
    public static final String ALARMS_CLEARED = "appliance_sync.alarms.cleared";
    public static final String ALARMS_SCHEDULER_PASSES = "appliance_sync.alarms.scheduler_passes";
    public static final String ALARMS_PUBLISH_FAILED = "appliance_sync.alarms.publish_failed";

    // The MQTT connection (common/mqtt)
    public static final String MQTT_CONNECTIONS = "appliance_sync.mqtt.connections";
    public static final String MQTT_CONNECTION_LOSSES = "appliance_sync.mqtt.connection_losses";
    public static final String MQTT_STALE_ACKS = "appliance_sync.mqtt.stale_acks";

    // Device ingestion (ingest/)
    public static final String INGEST_MESSAGES = "appliance_sync.ingest.messages";
    public static final String INGEST_WAITING = "appliance_sync.ingest.waiting";
    public static final String INGEST_BATCH = "appliance_sync.ingest.batch";
    public static final String INGEST_DEAD_LETTERS = "appliance_sync.ingest.dead_letters";

    // A device message's way to the apps, stage by stage (ingest/, realtime/ChangeFeed)
    public static final String DEVICE_PATH = "appliance_sync.device_path";

    /**
     * The stages of {@link #DEVICE_PATH} a device message passes on this instance, in order, each a timer tagged
     * {@code stage} (its name in lower case). IngestionBenchmark prints them, to say where a device → app delay goes.
     */
    public enum DevicePathStage {
        /** Its arrival on the MQTT connection → the start of the batch that applies it; per message. */
        QUEUED,
        /** The start of its batch → the batch's commit; per message. */
        APPLIED,
        /** A wake-up of the change feed (a commit here, a NOTIFY) → the start of the read it causes; per read. */
        WOKEN,
        /** The start of the transaction that appended a change-log entry → the feed's read returning it; per entry. */
        READ,
        /** The feed's read returning an entry → the entry offered to every subscription it concerns; per entry. */
        HANDED
    }

    // Cloud access sync and the AWS calls it makes (cloud/)
    public static final String CLOUD_AWS_THROTTLED = "appliance_sync.cloud.aws.throttled";
    public static final String CLOUD_SYNC_APPLIED = "appliance_sync.cloud.sync.applied";
    public static final String CLOUD_SYNC_FAILED = "appliance_sync.cloud.sync.failed";
    public static final String CLOUD_SYNC_RETRIED = "appliance_sync.cloud.sync.retried";
    public static final String CLOUD_SYNC_DRIFT_REPAIRED = "appliance_sync.cloud.sync.drift_repaired";
    public static final String CLOUD_SYNC_QUEUE = "appliance_sync.cloud.sync.queue";

    // The IoT view topics (cloud/view)
    public static final String VIEW_PUBLISHED = "appliance_sync.view.published";
    public static final String VIEW_FAILED_PASSES = "appliance_sync.view.failed_passes";
    public static final String VIEW_RETENTION_SKIPS = "appliance_sync.view.retention_skips";
    public static final String VIEW_LAG = "appliance_sync.view.lag";

    private final MeterRegistry registry;

    public ServiceMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    // Access decisions

    public Timer accessDecision() {
        return Timer.builder(ACCESS_DECISION)
                .description("Time of one Cedar evaluation (the native call); remembered answers are not timed")
                .publishPercentileHistogram().register(registry);
    }

    public Counter accessMemoHits() {
        return counter(ACCESS_MEMO_HITS, "Access questions answered from remembered decisions, without asking Cedar");
    }

    /** Reads refused, by the kind of resource and the error the caller got. */
    public Counter accessReadDenials(String kind, ErrorCode code) {
        return registry.counter(ACCESS_READ_DENIALS, "kind", kind, "code", code.name());
    }

    // Appliance claims

    /** {@code outcome}: MATCHED or REFUSED. */
    public Counter claimCodeChecks(String outcome) {
        return Counter.builder(CLAIM_CODE_CHECKS).tag("outcome", outcome)
                .description("Claim codes compared (each after its attempt was counted)").register(registry);
    }

    public Counter claimsRateLimited() {
        return counter(CLAIM_RATE_LIMITED, "Claims refused RATE_LIMITED, their code not checked");
    }

    public Counter claimSerialAlerts() {
        return counter(CLAIM_SERIAL_ALERTS,
                "Times one serial number collected serial-alert-failures more wrong claim codes");
    }

    // GraphQL request limits

    /** {@code limit}: depth, cost or rate. */
    public Counter graphqlRequestsLimited(String limit) {
        return Counter.builder(GRAPHQL_REQUESTS_LIMITED).tag("limit", limit)
                .description("GraphQL requests refused before running by a request limit").register(registry);
    }

    public <T> void graphqlRateLimitCallers(T buckets, ToDoubleFunction<T> tracked) {
        gauge(GRAPHQL_RATE_LIMIT_CALLERS, buckets, tracked, "Callers whose rate-limit bucket this instance holds");
    }

    // Live changes

    public Timer realtimeDeliveryLag() {
        return Timer.builder(REALTIME_DELIVERY_LAG)
                .description("From the start of the transaction that made a change to its delivery here")
                .publishPercentiles(0.5, 0.99).publishPercentileHistogram().register(registry);
    }

    /** Its max is the longest the delivery held its event loop in one turn. */
    public Timer realtimeDeliverySlice() {
        return Timer.builder(REALTIME_DELIVERY_SLICE)
                .description("One turn of the context that delivers changes: the entries of a read of the log it"
                        + " decided and handed on before giving the event loop back")
                .publishPercentiles(0.5, 0.99).register(registry);
    }

    public Timer realtimeRevocationCutoff() {
        return Timer.builder(REALTIME_REVOCATION_CUTOFF)
                .description("From the moment someone's access ended (the commit of the change, its change_log"
                        + " created_at; the reload of the policies; the minute a time window closed) to their"
                        + " subscription on that appliance being ended with ACCESS_REVOKED")
                .publishPercentileHistogram().register(registry);
    }

    public Counter realtimeEventsDelivered() {
        return counter(REALTIME_EVENTS_DELIVERED,
                "Changes handed to a subscription (after access decisions and filters)");
    }

    public void realtimeSubscriptionsActive(AtomicInteger active) {
        gauge(REALTIME_SUBSCRIPTIONS_ACTIVE, active, AtomicInteger::get, "Open GraphQL subscriptions on this instance");
    }

    /** Subscriptions the server ended with {@code reason}; {@code why} says when that happens. */
    public Counter realtimeSubscriptionsDropped(ErrorCode reason, String why) {
        return Counter.builder(REALTIME_SUBSCRIPTIONS_DROPPED).tag("reason", reason.name())
                .description("Subscriptions ended by the server, by reason: " + why).register(registry);
    }

    // Subscription connections

    public Counter realtimeSlowConsumersClosed() {
        return counter(REALTIME_SLOW_CONSUMERS_CLOSED,
                "Subscription connections closed because the client did not keep up");
    }

    public void realtimeConnectionsActive(AtomicInteger open) {
        gauge(REALTIME_CONNECTIONS_ACTIVE, open, AtomicInteger::get,
                "Open GraphQL WebSocket connections on this instance");
    }

    public <T> void realtimeConnectionsUnauthenticated(T connections, ToDoubleFunction<T> unauthenticated) {
        gauge(REALTIME_CONNECTIONS_UNAUTHENTICATED, connections, unauthenticated,
                "Open GraphQL WebSocket connections on this instance not counted against a user yet");
    }

    /** {@code limit}: unauthenticated-connections, connection-init-timeout or connections-per-user. */
    public Counter realtimeConnectionsLimited(String limit) {
        return Counter.builder(REALTIME_CONNECTIONS_LIMITED).tag("limit", limit)
                .description("GraphQL WebSocket connections closed by a connection limit").register(registry);
    }

    public Counter realtimeAccessLoads() {
        return counter(REALTIME_ACCESS_LOADS, "Users' access views read for live delivery: one per user however many"
                + " of their subscriptions arrive while it is read");
    }

    public <T> void realtimeAdmissionsWaiting(T gate, ToDoubleFunction<T> waiting) {
        gauge(REALTIME_ADMISSIONS_WAITING, gate, waiting,
                "Subscriptions accepted and waiting for admission (their access read, their first items)");
    }

    public Timer realtimeAdmissionWait() {
        return Timer.builder(REALTIME_ADMISSION_WAIT)
                .description("From a subscription's arrival to its admission (the subscription admission bounds)")
                .publishPercentiles(0.5, 0.99).register(registry);
    }

    // Signed-in users

    public Counter identitySignIns() {
        return counter(IDENTITY_SIGN_INS, "Sign-ins run (a caller's row read, and written when their token says"
                + " something new); callers of one token arriving together, or within"
                + " appliance-sync.identity.reuse-sign-in-for after it, share one");
    }

    // Device commands

    public Counter commandsTimedOut() {
        return counter(COMMANDS_TIMED_OUT, "Commands that got no result within their time-out");
    }

    public Counter commandsPublishFailed() {
        return counter(COMMANDS_PUBLISH_FAILED,
                "Publishes of a command the broker did not acknowledge (each is retried)");
    }

    // Alarms

    public Counter alarmsRaised() {
        return counter(ALARMS_RAISED, "Alarms raised: a rule's condition held for the rule's duration");
    }

    public Counter alarmsCleared() {
        return counter(ALARMS_CLEARED, "Raised alarms cleared because their condition ended (or their rule did)");
    }

    public Counter alarmsSchedulerPasses() {
        return counter(ALARMS_SCHEDULER_PASSES, "Alarm scheduler passes completed on this instance");
    }

    public Counter alarmsPublishFailed() {
        return counter(ALARMS_PUBLISH_FAILED,
                "Publishes of an alarm message the broker did not acknowledge (each is retried)");
    }

    // The MQTT connection

    public Counter mqttConnections() {
        return counter(MQTT_CONNECTIONS, "MQTT connections established (the first and every reconnection)");
    }

    public Counter mqttConnectionLosses() {
        return counter(MQTT_CONNECTION_LOSSES, "MQTT connections lost or refused");
    }

    public Counter mqttStaleAcks() {
        return counter(MQTT_STALE_ACKS, "Acknowledgements not sent because their message came on an earlier "
                + "connection (the broker redelivers it)");
    }

    // Device ingestion

    public Counter ingestMessages() {
        return counter(INGEST_MESSAGES,
                "Device messages received (applied or dead-lettered; a redelivery counts again)");
    }

    public <T> void ingestWaiting(T queue, ToDoubleFunction<T> size) {
        gauge(INGEST_WAITING, queue, size,
                "Device messages received and not yet applied (at most the broker's in-flight window)");
    }

    public Timer ingestBatch() {
        return Timer.builder(INGEST_BATCH).description("One batch of device messages applied").register(registry);
    }

    /** Cheap enough to leave on: a histogram bucket increment per message. */
    public Timer devicePath(DevicePathStage stage) {
        return Timer.builder(DEVICE_PATH).tag("stage", stage.name().toLowerCase(java.util.Locale.ROOT))
                .description("A device message's way to the apps on this instance, by stage: queued (MQTT arrival"
                        + " to its batch's start), applied (batch start to commit), woken (feed wake-up to read),"
                        + " read (the appending transaction's start to the feed's read), handed (read to offered)")
                .minimumExpectedValue(java.time.Duration.ofMillis(1).dividedBy(10))
                .maximumExpectedValue(java.time.Duration.ofSeconds(10))
                .publishPercentileHistogram().register(registry);
    }

    public Counter ingestDeadLetters(String reason) {
        return Counter.builder(INGEST_DEAD_LETTERS).tag("reason", reason)
                .description("Device messages that could not be applied, by reason").register(registry);
    }

    // Cloud access sync

    /** {@code operation}: the AWS API's name of the call. */
    public Counter cloudAwsThrottled(String operation) {
        return Counter.builder(CLOUD_AWS_THROTTLED).tag("operation", operation)
                .description("AWS calls throttled by AWS (each attempt), despite our own rate limit")
                .register(registry);
    }

    public Counter cloudSyncApplied() {
        return counter(CLOUD_SYNC_APPLIED, "Users whose desired cloud access was applied to AWS");
    }

    public Counter cloudSyncFailed() {
        return counter(CLOUD_SYNC_FAILED,
                "Users whose cloud access AWS refused (quota, malformed policy): alert on this");
    }

    public Counter cloudSyncRetried() {
        return counter(CLOUD_SYNC_RETRIED, "Reconciliations put off because AWS kept throttling or failing");
    }

    public Counter cloudSyncDriftRepaired() {
        return counter(CLOUD_SYNC_DRIFT_REPAIRED, "Users whose AWS state had drifted from ours and was repaired");
    }

    public void cloudSyncQueue(AtomicLong depth) {
        gauge(CLOUD_SYNC_QUEUE, depth, AtomicLong::get,
                "Users whose cloud access is not in sync yet (pending or failed)");
    }

    // The IoT view topics

    public Counter viewPublished() {
        return counter(VIEW_PUBLISHED, "Messages published on the IoT view topics and acknowledged by the broker");
    }

    public Counter viewFailedPasses() {
        return counter(VIEW_FAILED_PASSES, "View relay passes that failed (the page is published again)");
    }

    public Counter viewRetentionSkips() {
        return counter(VIEW_RETENTION_SKIPS,
                "Times the view cursor was behind the change log's retention horizon and skipped to it");
    }

    public <T> void viewLag(T relay, ToDoubleFunction<T> lagSeconds) {
        Gauge.builder(VIEW_LAG, relay, lagSeconds).baseUnit("seconds")
                .description("Age of the oldest change-log entry read and not yet published (on the lease holder)")
                .register(registry);
    }

    private Counter counter(String name, String description) {
        return Counter.builder(name).description(description).register(registry);
    }

    private <T> void gauge(String name, T state, ToDoubleFunction<T> value, String description) {
        Gauge.builder(name, state, value).description(description).register(registry);
    }
}
