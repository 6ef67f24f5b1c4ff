package dev.appliancesync.operations;

import static dev.appliancesync.operations.ManagementRequests.management;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import dev.appliancesync.support.Database;
import dev.appliancesync.support.SwitchedOff;
import dev.appliancesync.support.User;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** The reconciler is off here (SwitchedOff), so a due row stays due: its age alone decides readiness. */
@QuarkusTest
@TestProfile(SwitchedOff.class)
class ReconcilerLagHealthTest {

    private static final String CHECK = "checks.find { it.name == 'Cloud access reconciler lag' }";

    @Inject
    Database database;

    @Test
    void readinessGoesDownWhileAUserIsOverdueAndUpOnceTheyAreApplied() {
        User user = User.signedIn("lagging");
        setDue(user, 4); // due, but within the bound
        management().get("/q/health/ready").then().statusCode(200)
                .body(CHECK + ".status", equalTo("UP"))
                .body(CHECK + ".data.due", equalTo(1));

        setDue(user, 6);
        management().get("/q/health/ready").then().statusCode(503)
                .body("status", equalTo("DOWN"))
                .body(CHECK + ".status", equalTo("DOWN"))
                .body(CHECK + ".data.maxLagSeconds", equalTo(300));
        // Liveness does not look at the queue: a restart would not apply anything sooner.
        management().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));

        database.count("update cloud_sync_state set status = 'IN_SYNC' where user_id = $1::uuid returning 1", user.id());
        Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> management().get("/q/health/ready")
                .then().statusCode(200).body(CHECK + ".status", equalTo("UP")));
    }

    /** The user's cloud access has been due for this many minutes. */
    private void setDue(User user, int minutesAgo) {
        database.count("""
                insert into cloud_sync_state (user_id, desired_generation, status, next_attempt_at)
                values ($1::uuid, 1, 'PENDING', now() - make_interval(mins => $2))
                on conflict (user_id) do update set status = 'PENDING', next_attempt_at = excluded.next_attempt_at
                returning 1""", user.id(), minutesAgo);
    }
}
