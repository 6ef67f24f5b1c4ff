package dev.appliancesync.realtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.appliancesync.common.metrics.ServiceMetrics;
import dev.appliancesync.state.DeviceStateService;
import dev.appliancesync.support.AppSyncSocket;
import dev.appliancesync.support.AppSyncSocket.Handshake;
import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.GraphQLWebSocket;
import dev.appliancesync.support.User;
import dev.appliancesync.support.DeviceReports;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * The world after a deploy, on the multiplexed path (the default): many users' connections, over graphql-transport-ws
 * and AppSync's protocol, all dropped and all subscribing again at once, twice. Every subscriber gets exactly its own
 * user's items, in order, nothing of anyone else's; the active-subscriptions gauge counts every subscription while
 * they are open and returns to where it was once they are all gone.
 */
@QuarkusTest
class ReconnectingCrowdTest {

    private static final int USERS = 8;
    private static final int SOCKETS_PER_USER = 3;
    private static final String STATES = "subscription { applianceState { applianceId version } }";
    private static final String CHANGES = "subscription { changes { type applianceId } }";
    private static final Duration BOUND = Duration.ofSeconds(30);

    @TestHTTPResource("/graphql")
    URI graphql;

    @Inject
    DeviceStateService states;

    @Inject
    MeterRegistry metrics;

    private Vertx clients;
    private final List<GraphQLWebSocket> sockets = new ArrayList<>();
    private final List<AppSyncSocket> appSyncSockets = new ArrayList<>();

    @BeforeEach
    void startClients() {
        clients = Vertx.vertx();
    }

    @AfterEach
    void closeAll() throws Exception {
        dropAll();
        clients.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void everySubscriberGetsExactlyItsOwnItemsAcrossTwoReconnectStorms() throws Exception {
        double before = active();
        List<User> users = new ArrayList<>();
        List<String> appliances = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            User user = User.signedIn("crowd" + i);
            users.add(user);
            appliances.add(Appliances.claimed(user.token(), "MINI_OVEN").id());
        }
        long version = 1;
        for (String appliance : appliances) {
            record(appliance, version);
        }

        for (int storm = 0; storm < 2; storm++) {
            connectAll(users);
            // Everyone subscribes at once: applianceState and changes on each graphql-transport-ws socket,
            // applianceState on each AppSync socket.
            sockets.forEach(ws -> {
                ws.subscribe("states", STATES);
                ws.subscribe("changes", CHANGES);
            });
            appSyncSockets.forEach(ws -> ws.start("states", STATES, Map.of(), null));

            for (int u = 0; u < USERS; u++) {
                for (GraphQLWebSocket ws : socketsOf(u)) {
                    assertThat(ws.nextData("changes").getJsonObject("changes").getString("type"))
                            .isEqualTo("SUBSCRIBED");
                    assertOwnState(ws.nextData("states"), appliances.get(u), version);
                }
                AppSyncSocket appSync = appSyncSockets.get(u);
                assertThat(appSync.next("states").getString("type")).isEqualTo("start_ack");
                assertOwnState(appSync.nextData("states"), appliances.get(u), version);
            }
            int subscriptions = USERS * (SOCKETS_PER_USER * 2 + 1);
            await().atMost(BOUND).until(() -> active() == before + subscriptions);

            // Two changes of every appliance: each subscriber's next two items are its own appliance's, in order.
            // Anything of another user's would come before them.
            for (int round = 0; round < 2; round++) {
                version++;
                for (String appliance : appliances) {
                    record(appliance, version);
                }
                for (int u = 0; u < USERS; u++) {
                    for (GraphQLWebSocket ws : socketsOf(u)) {
                        assertOwnState(ws.nextData("states"), appliances.get(u), version);
                    }
                    assertOwnState(appSyncSockets.get(u).nextData("states"), appliances.get(u), version);
                }
            }
            assertThat(active()).as("subscriptions counted").isEqualTo(before + subscriptions);

            dropAll();
            await().atMost(BOUND).until(() -> active() == before);
        }
    }

    private void connectAll(List<User> users) throws Exception {
        for (User user : users) {
            for (int i = 0; i < SOCKETS_PER_USER; i++) {
                sockets.add(GraphQLWebSocket.connected(graphql, user.token(), clients));
            }
            AppSyncSocket appSync = AppSyncSocket.open(graphql, Handshake.SUBPROTOCOL, user.token());
            appSyncSockets.add(appSync);
            assertThat(appSync.init().getString("type")).isEqualTo("connection_ack");
        }
    }

    private List<GraphQLWebSocket> socketsOf(int user) {
        return sockets.subList(user * SOCKETS_PER_USER, (user + 1) * SOCKETS_PER_USER);
    }

    /** Every connection dropped at once, as a deploy drops them. */
    private void dropAll() {
        sockets.forEach(GraphQLWebSocket::close);
        appSyncSockets.forEach(AppSyncSocket::close);
        sockets.clear();
        appSyncSockets.clear();
    }

    private static void assertOwnState(JsonObject data, String appliance, long version) {
        JsonObject state = data.getJsonObject("applianceState");
        assertThat(state.getString("applianceId")).as("%s", data).isEqualTo(appliance);
        assertThat(state.getLong("version")).as("%s", data).isEqualTo(version);
    }

    private double active() {
        return metrics.get(ServiceMetrics.REALTIME_SUBSCRIPTIONS_ACTIVE).gauge().value();
    }

    private void record(String applianceId, long version) {
        DeviceReports.oven(states, applianceId, version, "v" + version, 200);
    }
}
