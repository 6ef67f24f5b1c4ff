package dev.appliancesync.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * No device message is lost when something fails in the middle of a stream of them: the packaged service (prod
 * profile, a persistent MQTT session under a client id it keeps across restarts) ingests 20,000 QoS 1 shadow updates
 * of 200 devices from mosquitto (with persistence, as IoT Core keeps sessions) into PostgreSQL, while the service is
 * killed (SIGKILL) and started again, stopped gracefully and started again (a rolling deploy), PostgreSQL is down for
 * 5 s, or the broker restarts. Every update has an effect of its own ({@link ShadowUpdates}); once the broker has
 * acknowledged all of them, the database must show every one: 0 lost.
 * <p>
 * Each scenario has its own broker, service instance and devices (thing-name prefix), and one PostgreSQL serves all
 * of them. Updates go out at a fixed rate, so the fault strikes mid-stream, after about a third of them.
 */
class DeviceFaultsIT {

    private static final Path TARGET = Path.of(System.getProperty("appliance-sync.it.target-dir", "target"));
    private static final int DEVICES = 200;
    private static final int UPDATES_PER_DEVICE = 100;
    private static final int CONNECTIONS = 4;
    private static final double MESSAGES_PER_SECOND = 1_500;
    /** Messages one device connection has waiting for their PUBACK at most. */
    private static final int WINDOW = 50;
    /** The fault strikes once the broker has acknowledged this share of the messages. */
    private static final double FAULT_AT = 0.35;
    private static final Duration DATABASE_DOWN = Duration.ofSeconds(5);
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Publishing all of it, with a fault on the way. */
    private static final Duration PUBLISH_WAIT = Duration.ofSeconds(120);
    /** Applying what the broker holds once publishing is done, at most. */
    private static final Duration DRAIN = Duration.ofSeconds(120);
    /** Nothing more applied for this long while updates are missing: the rest is not coming. */
    private static final Duration STALL = Duration.ofSeconds(20);
    private static final String PROVISIONED_FILTER = "$share/appliance-sync/appliances/+/provisioned";

    private static Path databaseDirectory;
    private static SharedServices services;
    private MosquittoBroker mosquitto;

    /** What a fault does to the running instance, the database or the broker. */
    @FunctionalInterface
    private interface Fault {
        void strike(ServiceInstance instance) throws Exception;
    }

    @BeforeAll
    static void startDatabase() throws IOException {
        Files.createDirectories(TARGET);
        // Its own data directory, so that it can be stopped and started again with the same data.
        databaseDirectory = Files.createTempDirectory(TARGET.toAbsolutePath(), "faults-postgres-");
        services = SharedServices.startWithoutBroker(databaseDirectory);
    }

    @AfterAll
    static void stopDatabase() {
        Lifecycle.closeAll(services);
        try (Stream<Path> files = Files.walk(databaseDirectory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @BeforeEach
    void startBroker() {
        mosquitto = MosquittoBroker.startPersistent();
    }

    @AfterEach
    void stopBroker() {
        Lifecycle.closeAll(mosquitto);
    }

    @Test
    void noUpdateIsLostWhenTheServiceIsKilledAndStartedAgain() throws Exception {
        assertNothingLost("FAULT-KILL", "killed (SIGKILL) and started again", instance -> {
            instance.kill();
            instance.start();
        });
    }

    @Test
    void noUpdateIsLostWhenTheServiceIsStoppedGracefullyAndStartedAgain() throws Exception {
        assertNothingLost("FAULT-ROLL", "stopped gracefully (SIGTERM) and started again", ServiceInstance::restart);
    }

    @Test
    void noUpdateIsLostWhenTheDatabaseIsDownForFiveSeconds() throws Exception {
        assertNothingLost("FAULT-PGDOWN", "PostgreSQL down for " + DATABASE_DOWN.toSeconds() + " s", instance -> {
            services.stopDatabase();
            try {
                // The outage itself, not a wait for something to happen: the service runs on without its database.
                Thread.sleep(DATABASE_DOWN);
            } finally {
                services.startDatabase();
            }
        });
    }

    @Test
    void noUpdateIsLostWhenTheBrokerRestarts() throws Exception {
        assertNothingLost("FAULT-BROKER", "mosquitto restarted (SIGTERM, persistence)", instance -> mosquitto.restart());
    }

    /**
     * Starts an instance, has {@code prefix}'s devices announce themselves, publishes their updates with the fault
     * striking mid-stream, and asserts that once the broker has acknowledged every update the database shows them
     * all. Prints the outcome either way, as the measurement of this scenario.
     */
    private void assertNothingLost(String prefix, String fault, Fault strike) throws Exception {
        ShadowUpdates updates = new ShadowUpdates(prefix, DEVICES, UPDATES_PER_DEVICE);
        try (ServiceInstance instance = ServiceInstance.create(prefix.toLowerCase(Locale.ROOT),
                mosquitto.serviceProperties(services))) {
            instance.start();
            // Ready means connected: the subscriptions must be in place too, or the first messages go to nobody.
            for (String filter : MosquittoBroker.AWS_FILTERS) {
                instance.awaitSubscribed(filter, WAIT);
            }
            instance.awaitSubscribed(PROVISIONED_FILTER, WAIT);
            provision(updates);

            Instant started = Instant.now();
            Instant published;
            int reconnects;
            try (AtLeastOncePublisher publisher = AtLeastOncePublisher.start(mosquitto.host(), mosquitto.port(),
                    updates.perConnection(CONNECTIONS), MESSAGES_PER_SECOND, WINDOW)) {
                long faultAt = (long) (FAULT_AT * updates.total());
                await().atMost(PUBLISH_WAIT).pollInterval(Duration.ofMillis(20))
                        .until(() -> publisher.acknowledged() >= faultAt);
                strike.strike(instance);
                publisher.awaitAllAcknowledged(PUBLISH_WAIT);
                published = Instant.now();
                reconnects = publisher.reconnects();
            }

            ShadowUpdates.Stored stored = awaitApplied(updates);
            Duration draining = Duration.between(published, Instant.now());
            String where;
            try (Connection db = services.database()) {
                where = stored.lost() == 0 ? "" : updates.whereTheyWent(db);
            }
            String outcome = ("DeviceFaultsIT %s (%s): %,d updates of %d devices acknowledged by the broker in %.1f s "
                    + "(%d publisher reconnects); %.1f s later %s%s").formatted(prefix, fault, updates.total(), DEVICES,
                    seconds(Duration.between(started, published)), reconnects, seconds(draining), stored,
                    where.isEmpty() ? "" : "; " + where);
            System.out.println(outcome);
            assertThat(stored.lost()).as(outcome).isZero();
            assertThat(instance.isRunning()).as("the instance is still running").isTrue();
        }
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }

    private void provision(ShadowUpdates updates) throws Exception {
        try (AtLeastOncePublisher announcing = AtLeastOncePublisher.start(mosquitto.host(), mosquitto.port(),
                List.of(updates.announcements()), 1_000, WINDOW)) {
            announcing.awaitAllAcknowledged(WAIT);
        }
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            try (Connection db = services.database()) {
                assertThat(updates.provisioned(db)).as("appliances announced").isEqualTo(DEVICES);
            }
        });
    }

    /**
     * Waits until every update is applied, or nothing more has been for {@link #STALL} (or {@link #DRAIN} is over);
     * returns what is stored then.
     */
    private static ShadowUpdates.Stored awaitApplied(ShadowUpdates updates) {
        ShadowUpdates.Stored[] last = new ShadowUpdates.Stored[1];
        Instant[] progressed = { Instant.now() };
        try {
            await().atMost(DRAIN).pollInterval(Duration.ofMillis(500)).until(() -> {
                ShadowUpdates.Stored now;
                try (Connection db = services.database()) {
                    now = updates.stored(db);
                } catch (java.sql.SQLException e) {
                    return false; // the database is starting again: look again
                }
                if (last[0] == null || now.applied() != last[0].applied()) {
                    progressed[0] = Instant.now();
                }
                last[0] = now;
                return now.lost() == 0 || Duration.between(progressed[0], Instant.now()).compareTo(STALL) > 0;
            });
        } catch (ConditionTimeoutException stillApplying) {
            // Reported with what is stored by now.
        }
        if (last[0] == null) {
            throw new AssertionError("PostgreSQL did not answer within " + DRAIN);
        }
        return last[0];
    }
}
