package dev.appliancesync.change;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.CatchUp;
import dev.appliancesync.support.Database;
import dev.appliancesync.support.GraphQLWebSocket;
import dev.appliancesync.support.User;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;

/**
 * An entry of a kind this release does not know, as a newer release would write it during a rolling deploy, is
 * skipped by catch-up and by a live subscription, which both go on with the entries after it (docs/deployment.md).
 */
@QuarkusTest
class UnknownChangeTypeTest {

    private static final String CHANGES = "subscription { changes { type applianceId } }";

    @TestHTTPResource("/graphql")
    URI graphql;

    @Inject
    Database database;

    @Test
    void anEntryOfAnUnknownKindIsSkippedLiveAndInCatchUp() throws Exception {
        User owner = User.signedIn("tolerant");
        Appliances.Claimed appliance = Appliances.claimed(owner.token(), "GENERIC");
        UUID id = UUID.fromString(appliance.id());
        try (GraphQLWebSocket ws = GraphQLWebSocket.connected(graphql, owner.token())) {
            ws.subscribe("c", CHANGES);
            assertThat(ws.nextData("c").getJsonObject("changes").getString("type")).isEqualTo("SUBSCRIBED");
            database.number("insert into change_log (audience, appliance_id, type, payload) values "
                    + "('APPLIANCE', $1, 'FROM_A_NEWER_RELEASE', '{}'::jsonb) returning seq", id);
            database.number("insert into change_log (audience, appliance_id, type, payload) values "
                    + "('APPLIANCE', $1, 'APPLIANCE_RENAMED', '{\"name\": \"after\"}'::jsonb) returning seq", id);

            JsonObject next = ws.nextData("c").getJsonObject("changes");
            assertThat(next.getString("type")).isEqualTo("APPLIANCE_RENAMED");
            assertThat(next.getString("applianceId")).isEqualTo(appliance.id());
        }
        List<String> types = CatchUp.all(owner.token()).stream().map(e -> e.getString("type")).toList();
        assertThat(types).contains("APPLIANCE_CLAIMED", "APPLIANCE_RENAMED").doesNotContain("FROM_A_NEWER_RELEASE",
                "UNKNOWN");
    }
}
