package dev.appliancesync.appliance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.Database;
import dev.appliancesync.support.GraphQL;
import dev.appliancesync.support.User;
import io.quarkus.test.junit.QuarkusTest;

/**
 * {@link ApplianceReleases} at the service level: a factory reset reported by the device (called as device ingestion
 * calls it, in its own transaction) ends exactly what the owner's removeAppliance ends, since both go through the
 * same release.
 */
@QuarkusTest
class ApplianceReleasesTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Inject
    ApplianceReleases releases;

    @Inject
    Transactions db;

    @Inject
    Database database;

    /** What is left of an appliance's ties after a release, and why its shares ended. */
    private record Left(long activeShares, long pendingInvitations, long othersPreferences, long owned,
            List<String> revokeReasons) {
    }

    @Test
    void aFactoryResetEndsWhatRemovingTheApplianceEnds() {
        Shared reset = sharedAppliance();
        db.inTransaction(tx -> releases.factoryReset(tx, UUID.fromString(reset.applianceId())))
                .await().atMost(TIMEOUT);

        Shared removed = sharedAppliance();
        GraphQL.post(removed.owner().token(), "mutation($a: ID!) { removeAppliance(applianceId: $a) }",
                Map.of("a", removed.applianceId())).then().statusCode(200).body("errors", nullValue());

        assertThat(left(reset)).isEqualTo(new Left(0, 0, 0, 0, List.of("FACTORY_RESET")));
        assertThat(left(removed)).isEqualTo(new Left(0, 0, 0, 0, List.of("REMOVED")));
    }

    @Test
    void aFactoryResetOfAnUnknownApplianceChangesNothing() {
        Shared untouched = sharedAppliance();
        db.inTransaction(tx -> releases.factoryReset(tx, UUID.randomUUID())).await().atMost(TIMEOUT);

        assertThat(left(untouched)).isEqualTo(new Left(1, 1, 1, 1, List.of()));
    }

    /** An owned appliance shared with one account, an invitation pending for another email, the sharee's settings. */
    private record Shared(User owner, User recipient, String applianceId) {
    }

    private Shared sharedAppliance() {
        User owner = User.signedIn("release-owner");
        User recipient = User.signedIn("release-recipient");
        String applianceId = Appliances.claimed(owner.token(), "MINI_OVEN").id();
        Appliances.share(owner.token(), applianceId, recipient.email(), "FAMILY");
        GraphQL.post(owner.token(), """
                mutation($a: ID!, $e: String!) {
                  shareAppliance(applianceId: $a, recipientEmail: $e, role: GUEST) { invitation { id } } }""",
                Map.of("a", applianceId, "e", "nobody-" + UUID.randomUUID() + "@example.com"))
                .then().statusCode(200).body("errors", nullValue());
        GraphQL.post(recipient.token(), """
                mutation($a: ID!, $s: JSON!) { updatePreferences(applianceId: $a, settings: $s) { version } }""",
                Map.of("a", applianceId, "s", "{\"light\":true}")).then().statusCode(200).body("errors", nullValue());
        return new Shared(owner, recipient, applianceId);
    }

    private Left left(Shared shared) {
        UUID id = UUID.fromString(shared.applianceId());
        return new Left(
                database.count("select count(*) from share where appliance_id = $1 and revoked_at is null", id),
                database.count("select count(*) from invitation where appliance_id = $1 and accepted_at is null "
                        + "and cancelled_at is null", id),
                database.count("select count(*) from preference where appliance_id = $1 and user_id = $2", id,
                        UUID.fromString(shared.recipient().id())),
                database.count("select count(*) from appliance where id = $1 and owner_id is not null", id),
                database.strings("select revoke_reason from share where appliance_id = $1 and revoked_at is not null",
                        id));
    }
}
