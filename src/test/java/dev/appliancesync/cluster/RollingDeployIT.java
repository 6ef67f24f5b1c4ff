package dev.appliancesync.cluster;

import static dev.appliancesync.support.MigrationDatabase.rows;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.appliancesync.common.db.MigrationSessionLock;
import dev.appliancesync.embedded.EmbeddedServersForTests;
import dev.appliancesync.support.GraphQLWebSocket;
import dev.appliancesync.support.GraphQLWebSocket.Protocol;
import dev.appliancesync.support.MqttDevice;
import io.vertx.core.json.JsonObject;

/**
 * A rolling deploy, as production runs it (docs/deployment.md, "Migrations"): the previous release (the commit in
 * deploy/previous-release, built from this repository's history) serves on a schema its own migration job made, as
 * the data-only database user; this release's migration job runs as the schema's owner while it serves, with a
 * subscription open; the previous release keeps working (the open subscription still receives device state, and the
 * whole smoke workload passes again); then this release starts on the migrated schema as the data-only user and
 * passes the same workload. And a replica of this release refuses a schema its migration job has not migrated yet.
 */
class RollingDeployIT {

    private static final Path TARGET = Path.of(System.getProperty("appliance-sync.it.target-dir", "target"));
    private static final String OWNER = "appliance_sync_owner";
    private static final String APP = "appliance_sync_app";
    private static final Path ROLES = Path.of("deploy/database/roles.sql");
    /** A migration job's run, JVM start included, on a busy machine. */
    private static final Duration MIGRATION_WAIT = Duration.ofMinutes(3);
    /** A device update reaching a subscriber; generous, the machine may be busy. */
    private static final Duration DELIVERY_WAIT = Duration.ofSeconds(60);
    /** How long the device waits for a delivery before it sends a newer version. */
    private static final Duration REPUBLISH_EVERY = Duration.ofSeconds(3);
    private static final String STATE = "subscription($a: ID) { applianceState(applianceId: $a) { applianceId version } }";

    private static SharedServices services;
    private static Path previousJar;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(PreviousRelease.inHistory(), "The previous release's commit ("
                + PreviousRelease.commit() + ") is not in this clone's history: a shallow clone cannot build it");
        previousJar = PreviousRelease.jar(TARGET);
        services = SharedServices.start();
        try (Connection admin = services.database(); Statement sql = admin.createStatement()) {
            sql.execute(Files.readString(ROLES));
        }
    }

    @AfterAll
    static void stop() {
        Lifecycle.closeAll(services);
    }

    @Test
    void thisReleasesMigrationsRunWhileThePreviousReleaseServes() throws Exception {
        assertThat(migrationJob("migrate-previous", previousJar, services.serviceProperties()))
                .as("the previous release's migration job").isZero();
        String previousVersion = schemaVersion(services.serviceProperties());

        try (ServiceInstance previous = ServiceInstance.create("previous", replica(services.serviceProperties()),
                previousJar, false);
                MqttDevice device = MqttDevice.connect(services.mqttHost(), services.mqttPort())) {
            previous.start();
            ClusterUser operator = ClusterUser.of(services, "operator", List.of("admin"));
            Appliance live = smoke(previous, operator, device);

            try (GraphQLWebSocket subscription = live.subscribe(previous)) {
                live.awaitDelivery(device, subscription);

                int exit = migrationJob("migrate-new", TARGET.resolve("quarkus-app/quarkus-run.jar"),
                        services.serviceProperties());
                assertThat(exit).as("this release's migration job, while the previous release serves").isZero();
                assertThat(schemaVersion(services.serviceProperties())).as("migrated from " + previousVersion)
                        .isEqualTo(String.valueOf(latestMigration()));

                // The previous release, on the new schema: its open subscription still gets device state...
                live.awaitDelivery(device, subscription);
            }
            // ...and everything of the smoke workload still works there.
            smoke(previous, operator, device);

            // This release, on the schema its job migrated, as the data-only user.
            try (ServiceInstance next = ServiceInstance.create("next", replica(services.serviceProperties()))) {
                next.start();
                smoke(next, operator, device);
            }
        }
    }

    @Test
    void aReplicaRefusesASchemaItsMigrationJobHasNotMigrated() throws Exception {
        Map<String, String> behind = otherDatabase("behind");
        MigrationVersion latest = latestMigration();
        MigrationVersion before = Arrays.stream(flyway(behind).load().info().all()).map(MigrationInfo::getVersion)
                .filter(v -> v.compareTo(latest) < 0).max(MigrationVersion::compareTo).orElseThrow();
        flyway(behind).target(before).load().migrate();

        ServiceInstance replica = ServiceInstance.create("behind", replica(behind));
        assertThat(replica.runToExit(MIGRATION_WAIT)).as("a replica on a schema at " + before).isNotZero();
        assertThat(Files.readString(replica.logFile())).contains("The database schema is at version " + before
                + ", and this release needs migrations " + latest);
    }

    /** One workload on {@code instance}: sign in, claim, share, and device state reaching a subscription. */
    private static Appliance smoke(ServiceInstance instance, ClusterUser operator, MqttDevice device)
            throws Exception {
        ClusterUser owner = ClusterUser.of(services, "owner");
        ClusterUser friend = ClusterUser.of(services, "friend");
        owner.signIn(instance);
        friend.signIn(instance);
        String applianceId = owner.claimAppliance(instance, operator, "MINI_OVEN");
        assertThat(owner.share(instance, applianceId, friend, "FAMILY")).isNotNull();
        List<String> friends = friend.data(instance, "{ appliances { id } }", Map.of()).path("data.appliances.id");
        assertThat(friends).contains(applianceId);
        String thing = owner.data(instance, "query($a: ID!) { appliance(id: $a) { thingName } }",
                Map.of("a", applianceId)).path("data.appliance.thingName");
        Appliance appliance = new Appliance(owner, applianceId, thing, new AtomicLong());
        try (GraphQLWebSocket subscription = appliance.subscribe(instance)) {
            appliance.awaitDelivery(device, subscription);
        }
        return appliance;
    }

    /** A claimed appliance, its owner, and the last telemetry version its device sent. */
    private record Appliance(ClusterUser owner, String id, String thingName, AtomicLong version) {

        /** The owner's applianceState subscription to it, in place once the server has acknowledged the socket. */
        GraphQLWebSocket subscribe(ServiceInstance instance) throws Exception {
            GraphQLWebSocket ws = GraphQLWebSocket.open(instance.graphqlWebSocket(), Protocol.GRAPHQL_TRANSPORT_WS,
                    null);
            assertThat(ws.init(Map.of("Authorization", "Bearer " + owner.token())).getString("type"))
                    .isEqualTo("connection_ack");
            ws.subscribe("state", STATE, Map.of("a", id));
            return ws;
        }

        /**
         * The device sends a new version of its telemetry, and the subscription must deliver it (or a later one).
         * Neither the release's MQTT subscription nor the GraphQL one says when it is in place, so until something
         * arrives the device sends a newer version every {@link #REPUBLISH_EVERY}: one sent before either was in
         * place is not delivered, and the same version again would be dropped as stale.
         */
        void awaitDelivery(MqttDevice device, GraphQLWebSocket ws) throws Exception {
            long first = version.get() + 1;
            Instant deadline = Instant.now().plus(DELIVERY_WAIT);
            while (Instant.now().isBefore(deadline)) {
                long sent = version.incrementAndGet();
                device.publish("appliances/" + thingName + "/state", new JsonObject().put("version", sent)
                        .put("reported", new JsonObject().put("temperature", 170 + sent))
                        .put("timestamp", Instant.now().getEpochSecond()).encode());
                Instant republish = Instant.now().plus(REPUBLISH_EVERY);
                while (Instant.now().isBefore(republish)) {
                    var message = ws.pollMessage("state", Duration.between(Instant.now(), republish));
                    if (message.isEmpty()) {
                        break;
                    }
                    JsonObject payload = message.get().getJsonObject("payload");
                    assertThat(message.get().getString("type")).as("%s", message.get()).isEqualTo("next");
                    assertThat(payload.getValue("errors")).as("%s", message.get()).isNull();
                    JsonObject state = payload.getJsonObject("data").getJsonObject("applianceState");
                    if (state.getString("applianceId").equals(id) && state.getLong("version") >= first) {
                        return;
                    }
                }
            }
            throw new AssertionError("applianceState of " + id + " delivered no version from " + first + " on within "
                    + DELIVERY_WAIT);
        }
    }

    /** What the migration job sets (deploy/kubernetes/migrate-job.yaml): migrate, as the owner, then exit. */
    private static int migrationJob(String name, Path jar, Map<String, String> database) {
        Map<String, String> job = new LinkedHashMap<>(database);
        job.put("quarkus.datasource.username", OWNER);
        job.put("quarkus.datasource.password", OWNER);
        job.put("quarkus.flyway.migrate-at-start", "true");
        job.put("quarkus.init-and-exit", "true");
        return ServiceInstance.create(name, job, jar, false).runToExit(MIGRATION_WAIT);
    }

    /** What a replica sets (deploy/kubernetes/deployment.yaml): the data-only user, no migration. */
    private static Map<String, String> replica(Map<String, String> database) {
        Map<String, String> replica = new LinkedHashMap<>(database);
        replica.put("quarkus.datasource.username", APP);
        replica.put("quarkus.datasource.password", APP);
        replica.put("quarkus.flyway.migrate-at-start", "false");
        return replica;
    }

    /** The version Flyway's history says the schema is at. */
    private static String schemaVersion(Map<String, String> database) throws SQLException {
        try (Connection db = DriverManager.getConnection(database.get("quarkus.datasource.jdbc.url"), OWNER, OWNER);
                Statement sql = db.createStatement()) {
            return rows(sql, "select version from flyway_schema_history where success order by installed_rank desc"
                    + " limit 1").getFirst();
        }
    }

    /** The last migration of this release (on the test class path, as in its jar). */
    private static MigrationVersion latestMigration() {
        return Arrays.stream(flyway(services.serviceProperties()).load().info().all()).map(MigrationInfo::getVersion)
                .max(MigrationVersion::compareTo).orElseThrow();
    }

    private static org.flywaydb.core.api.configuration.FluentConfiguration flyway(Map<String, String> database) {
        // The service's own lock setting, or V14's concurrent index builds wait on Flyway's transaction for ever.
        return MigrationSessionLock.onSessionLock(Flyway.configure()
                .dataSource(database.get("quarkus.datasource.jdbc.url"), OWNER, OWNER).locations("classpath:db/migration"));
    }

    /** Another database of the shared server, owned by the schema owner, with the roles' grants: its settings. */
    private static Map<String, String> otherDatabase(String name) throws Exception {
        Map<String, String> properties = new LinkedHashMap<>(services.serviceProperties());
        try (Connection admin = services.database(); Statement sql = admin.createStatement()) {
            sql.execute("create database " + name + " owner " + OWNER);
        }
        for (String key : List.of("quarkus.datasource.jdbc.url", "quarkus.datasource.reactive.url")) {
            properties.put(key, properties.get(key).replaceFirst("/postgres(\\?|$)", "/" + name + "$1"));
        }
        String admin = EmbeddedServersForTests.POSTGRES_USER;
        try (Connection db = DriverManager.getConnection(properties.get("quarkus.datasource.jdbc.url"), admin, admin);
                Statement sql = db.createStatement()) {
            sql.execute(Files.readString(ROLES));
        }
        return properties;
    }
}
