package dev.appliancesync.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.appliancesync.appliance.ApplianceRepository;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import dev.appliancesync.support.Appliances;
import dev.appliancesync.support.Database;
import dev.appliancesync.support.User;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * {@link Guard} at the service level, on the real database: a change's work runs while the resource's row is locked
 * and after the decision is audited; a refusal is audited and the work never runs; a read writes no audit row.
 */
@QuarkusTest
class GuardTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Inject
    Guard guard;

    @Inject
    ApplianceRepository appliances;

    @Inject
    Transactions db;

    @Inject
    Database database;

    @Inject
    Authorizer authorizer;

    @Test
    void aChangeWorksOnTheLockedApplianceAfterAuditingTheDecision() {
        User owner = User.signedIn("guard-owner");
        UUID applianceId = UUID.fromString(Appliances.claimed(owner.token(), "MINI_OVEN").id());

        record Seen(boolean lockedElsewhere, long auditedBefore) {
        }
        Seen seen = guard.change(subject(owner), appliances, applianceId, Capability.RENAME,
                locked -> lockedElsewhere(applianceId).flatMap(busy -> auditRows(owner, applianceId, "RENAME", "ALLOW")
                        .map(audited -> new Seen(busy, audited))))
                .await().atMost(TIMEOUT);

        assertThat(seen.lockedElsewhere()).as("another transaction cannot lock the row while the work runs").isTrue();
        assertThat(seen.auditedBefore()).as("not committed yet: the audit row is in the change's transaction")
                .isZero();
        assertThat(audits(owner, applianceId, "RENAME", "ALLOW")).isEqualTo(1);
        assertThat(lockedElsewhere(applianceId).await().atMost(TIMEOUT)).as("released at the commit").isFalse();
    }

    @Test
    void aStrangerGetsNotFoundAndTheAttemptIsAudited() {
        User owner = User.signedIn("guard-owner");
        User stranger = User.signedIn("guard-stranger");
        UUID applianceId = UUID.fromString(Appliances.claimed(owner.token(), "MINI_OVEN").id());
        AtomicBoolean worked = new AtomicBoolean();

        ApiException refused = refusal(guard.change(subject(stranger), appliances, applianceId, Capability.RENAME,
                locked -> Uni.createFrom().item(() -> worked.getAndSet(true))));

        assertThat(refused.code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(worked).isFalse();
        assertThat(audits(stranger, applianceId, "RENAME", "DENY")).isEqualTo(1);
    }

    @Test
    void aSharerWithoutTheCapabilityGetsForbiddenNamingIt() {
        User owner = User.signedIn("guard-owner");
        User family = User.signedIn("guard-family");
        UUID applianceId = UUID.fromString(Appliances.claimed(owner.token(), "MINI_OVEN").id());
        Appliances.share(owner.token(), applianceId.toString(), family.email(), "FAMILY");

        ApiException refused = refusal(guard.change(subject(family), appliances, applianceId, Capability.TRANSFER,
                locked -> Uni.createFrom().item("transferred")));

        assertThat(refused.code()).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(refused.getMessage()).contains("TRANSFER");
        assertThat(audits(family, applianceId, "TRANSFER", "DENY")).isEqualTo(1);
    }

    @Test
    void aReadOfAnUnknownApplianceIsNotFoundAndWritesNothing() {
        User reader = User.signedIn("guard-reader");
        UUID unknown = UUID.randomUUID();
        Authorizer.Session session = authorizerSession(reader);

        ApiException refused = refusal(guard.view(db.reads(), session, appliances, unknown, Capability.VIEW_STATUS));

        assertThat(refused.code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(database.count("select count(*) from audit_log where actor_id = $1",
                UUID.fromString(reader.id()))).isZero();
    }

    private Authorizer.Session authorizerSession(User user) {
        return authorizer.session(subject(user));
    }

    private static Subject subject(User user) {
        return new Subject(UUID.fromString(user.id()), Set.of());
    }

    private static ApiException refusal(Uni<?> attempt) {
        return catchThrowableOfType(ApiException.class, () -> attempt.await().atMost(TIMEOUT));
    }

    /** Whether another connection is refused the row's lock at once (someone holds it). */
    private Uni<Boolean> lockedElsewhere(UUID applianceId) {
        return db.inTransaction(other -> other.preparedQuery("select id from appliance where id = $1 for update nowait")
                        .execute(Tuple.of(applianceId)))
                .map(rows -> false)
                .onFailure().recoverWithItem(true);
    }

    private long audits(User actor, UUID applianceId, String action, String decision) {
        return auditRows(actor, applianceId, action, decision).await().atMost(TIMEOUT);
    }

    /** The committed audit rows of this decision, read on a connection of its own (never blocking the caller). */
    private Uni<Long> auditRows(User actor, UUID applianceId, String action, String decision) {
        return db.reads().preparedQuery("select count(*) from audit_log where actor_id = $1 and resource = $2 "
                        + "and action = $3 and decision = $4")
                .execute(Tuple.of(UUID.fromString(actor.id()), "appliance/" + applianceId, action, decision))
                .map(rows -> rows.iterator().next().getLong(0));
    }
}
