package dev.appliancesync.sharing;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.access.Capability;
import dev.appliancesync.access.Role;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

@ApplicationScoped
public class ShareRepository {

    /** What can be shared, and the column of share and invitation that names it. */
    public enum TargetKind {
        APPLIANCE("appliance_id", "appliance"),
        HOUSEHOLD("household_id", "household");

        private final String column;
        private final String table;

        TargetKind(String column, String table) {
            this.column = column;
            this.table = table;
        }
    }

    /** What is shared: an appliance or a whole household (exactly one is set). */
    public record Target(UUID applianceId, UUID householdId) {

        TargetKind kind() {
            return applianceId != null ? TargetKind.APPLIANCE : TargetKind.HOUSEHOLD;
        }

        String column() {
            return kind().column;
        }

        UUID id() {
            return applianceId != null ? applianceId : householdId;
        }
    }

    /** A share whose expiry has just been announced, and who owns what it shared. */
    public record ExpiredShare(UUID shareId, UUID ownerId) {
    }

    /** Whether a grant created a new share, updated an existing one, or left a pending invitation. */
    public record Upserted(UUID id, boolean created) {
    }

    private static final String ACTIVE = "s.revoked_at is null and (s.expires_at is null or s.expires_at > now())";
    /**
     * What {@link InvitationRecord#from} reads: named, never {@code *}, because statements are kept
     * prepared (application.properties, cache-prepared-statements).
     */
    private static final String INVITATION = "select id, appliance_id, household_id, email, role, capabilities, "
            + "invited_by, created_at, expires_at from invitation ";

    public Uni<Optional<ShareRecord>> find(SqlClient client, UUID shareId) {
        return client.preparedQuery("select " + ShareRecord.COLUMNS + " from " + ShareRecord.FROM + " where s.id = $1")
                .execute(Tuple.of(shareId)).map(ShareRepository::first);
    }

    /** The recipient's active share of exactly this target, if any. */
    public Uni<Optional<ShareRecord>> findActive(SqlClient client, Target target, UUID recipientId) {
        return client.preparedQuery("select " + ShareRecord.COLUMNS + " from " + ShareRecord.FROM + " where s."
                        + target.column() + " = $1 and s.recipient_id = $2 and " + ACTIVE)
                .execute(Tuple.of(target.id(), recipientId)).map(ShareRepository::first);
    }

    /** Unrevoked shares (expired ones included: their owner may want to renew them) of the targets. */
    public Uni<List<ShareRecord>> unrevoked(SqlClient client, TargetKind kind, List<UUID> targetIds) {
        return client.preparedQuery("select " + ShareRecord.COLUMNS + " from " + ShareRecord.FROM + " where s." + kind.column
                        + " = any($1) and s.revoked_at is null order by s.created_at, s.id")
                .execute(Tuple.of(targetIds.toArray(UUID[]::new))).map(ShareRepository::all);
    }

    public Uni<Long> countActive(SqlClient client, Target target, UUID exceptRecipient) {
        return client.preparedQuery("select count(*) from share s where s." + target.column() + " = $1 and "
                        + "s.recipient_id <> $2 and " + ACTIVE)
                .execute(Tuple.of(target.id(), exceptRecipient)).map(rows -> rows.iterator().next().getLong(0));
    }

    /** Creates the share, or updates the recipient's unrevoked share of the same target (never two). */
    public Uni<Upserted> upsert(SqlClient client, Target target, UUID recipientId, Role role,
            Set<Capability> capabilities, UUID grantedBy, OffsetDateTime expiresAt) {
        String sql = """
                insert into share (appliance_id, household_id, recipient_id, role, capabilities, granted_by, expires_at)
                values ($1, $2, $3, $4, $5, $6, $7)
                on conflict (%1$s, recipient_id) where revoked_at is null and %1$s is not null
                do update set role = excluded.role, capabilities = excluded.capabilities,
                              granted_by = excluded.granted_by, expires_at = excluded.expires_at, updated_at = now()
                returning id, (xmax = 0) as created""".formatted(target.column());
        return client.preparedQuery(sql)
                .execute(Tuple.from(new Object[] { target.applianceId(), target.householdId(), recipientId, role.name(),
                        names(capabilities), grantedBy, expiresAt }))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new Upserted(row.getUUID("id"), row.getBoolean("created"));
                });
    }

    /**
     * What {@link #grant} found and did.
     *
     * @param recipientId the account with the verified email; null when there is none
     * @param othersActive active shares of the target held by others than that account
     * @param share the share as written, with {@code created}; null when nothing was written
     */
    public record GrantAttempt(UUID recipientId, long othersActive, ShareRecord share, boolean created) {
    }

    /**
     * In one statement: finds the account with this verified email, counts the target's active shares of others,
     * and creates the recipient's share or updates their unrevoked one, returning it whole; writes nothing when the
     * recipient is the granter, is {@code ownerId}, or the others hold {@code maxOthers} already (the caller turns
     * that into its error). The target must be locked by the caller, so the count stays true until commit.
     */
    public Uni<GrantAttempt> grant(SqlClient tx, Target target, String email, Role role, Set<Capability> capabilities,
            UUID grantedBy, UUID ownerId, OffsetDateTime expiresAt, int maxOthers) {
        String sql = """
                with rcpt as (
                    select id from app_user where email = $1 and email_verified),
                others as (
                    select count(*) as active from share s
                    where s.%1$s = $2 and s.recipient_id <> (select id from rcpt) and %2$s),
                upserted as (
                    insert into share (appliance_id, household_id, recipient_id, role, capabilities, granted_by,
                                       expires_at)
                    select $3::uuid, $4::uuid, rcpt.id, $5::text, $6::text[], $7::uuid, $8::timestamptz
                    from rcpt, others
                    where rcpt.id <> $7::uuid and rcpt.id is distinct from $9::uuid and others.active < $10
                    on conflict (%1$s, recipient_id) where revoked_at is null and %1$s is not null
                    do update set role = excluded.role, capabilities = excluded.capabilities,
                                  granted_by = excluded.granted_by, expires_at = excluded.expires_at, updated_at = now()
                    returning *, (xmax = 0) as created)
                select rcpt.id as found_recipient_id, others.active as others_active, s.created, %3$s
                from rcpt cross join others left join (%4$s) on true""".formatted(target.column(), ACTIVE,
                ShareRecord.COLUMNS, ShareRecord.from("upserted"));
        return tx.preparedQuery(sql)
                .execute(Tuple.from(new Object[] { email, target.id(), target.applianceId(), target.householdId(),
                        role.name(), names(capabilities), grantedBy, expiresAt, ownerId, (long) maxOthers }))
                .map(rows -> {
                    var iterator = rows.iterator();
                    if (!iterator.hasNext()) {
                        return new GrantAttempt(null, 0, null, false);
                    }
                    Row row = iterator.next();
                    boolean written = row.getUUID("id") != null;
                    return new GrantAttempt(row.getUUID("found_recipient_id"), row.getLong("others_active"),
                            written ? ShareRecord.from(row) : null, written && row.getBoolean("created"));
                });
    }

    /** Who owns the target now; empty when nobody does (a released appliance) or it is gone. */
    public Uni<Optional<UUID>> ownerOf(SqlClient client, Target target) {
        return client.preparedQuery("select owner_id from " + target.kind().table + " where id = $1")
                .execute(Tuple.of(target.id()))
                .map(rows -> rows.rowCount() == 0 ? Optional.<UUID> empty()
                        : Optional.ofNullable(rows.iterator().next().getUUID("owner_id")));
    }

    /**
     * Marks up to {@code limit} shares that reached their expiry time as announced; the ones it marked. Instances
     * racing here skip each other's rows.
     */
    public Uni<List<ExpiredShare>> markExpiryAnnounced(SqlClient tx, int limit) {
        return tx.preparedQuery("""
                        with due as (
                            select s.id from share s
                            where s.revoked_at is null and s.expires_at <= now() and s.expiry_announced_at is null
                            order by s.expires_at limit $1 for update skip locked)
                        update share s set expiry_announced_at = now() from due where s.id = due.id
                        returning s.id, coalesce((select a.owner_id from appliance a where a.id = s.appliance_id),
                                                 (select h.owner_id from household h where h.id = s.household_id)) as owner_id""")
                .execute(Tuple.of(limit))
                .map(rows -> {
                    List<ExpiredShare> expired = new ArrayList<>();
                    for (Row row : rows) {
                        expired.add(new ExpiredShare(row.getUUID("id"), row.getUUID("owner_id")));
                    }
                    return expired;
                });
    }

    public Uni<Void> revoke(SqlClient client, UUID shareId, UUID revokedBy, String reason) {
        return client.preparedQuery("update share set revoked_at = now(), revoked_by = $2, revoke_reason = $3, "
                        + "updated_at = now() where id = $1 and revoked_at is null")
                .execute(Tuple.of(shareId, revokedBy, reason)).replaceWithVoid();
    }

    // ---- invitations ------------------------------------------------------------------------------------------------

    public Uni<Long> countPendingInvitations(SqlClient client, Target target, String exceptEmail) {
        return client.preparedQuery("select count(*) from invitation where " + target.column() + " = $1 and email <> $2 "
                        + "and accepted_at is null and cancelled_at is null")
                .execute(Tuple.of(target.id(), exceptEmail)).map(rows -> rows.iterator().next().getLong(0));
    }

    public Uni<Upserted> upsertInvitation(SqlClient client, Target target, String email, Role role,
            Set<Capability> capabilities, UUID invitedBy, OffsetDateTime expiresAt) {
        String sql = """
                insert into invitation (appliance_id, household_id, email, role, capabilities, invited_by, expires_at)
                values ($1, $2, $3, $4, $5, $6, $7)
                on conflict (%1$s, email) where accepted_at is null and cancelled_at is null and %1$s is not null
                do update set role = excluded.role, capabilities = excluded.capabilities,
                              invited_by = excluded.invited_by, expires_at = excluded.expires_at, updated_at = now()
                returning id, (xmax = 0) as created""".formatted(target.column());
        return client.preparedQuery(sql)
                .execute(Tuple.from(new Object[] { target.applianceId(), target.householdId(), email, role.name(),
                        names(capabilities), invitedBy, expiresAt }))
                .map(rows -> {
                    Row row = rows.iterator().next();
                    return new Upserted(row.getUUID("id"), row.getBoolean("created"));
                });
    }

    public Uni<Optional<InvitationRecord>> findInvitation(SqlClient client, UUID invitationId) {
        return client.preparedQuery(INVITATION + "where id = $1 and accepted_at is null and cancelled_at is null")
                .execute(Tuple.of(invitationId))
                .map(rows -> rows.rowCount() == 0 ? Optional.empty() : Optional.of(InvitationRecord.from(rows.iterator().next())));
    }

    public Uni<List<InvitationRecord>> pendingInvitations(SqlClient client, TargetKind kind, List<UUID> targetIds) {
        return client.preparedQuery(INVITATION + "where " + kind.column + " = any($1) and accepted_at is null "
                        + "and cancelled_at is null order by created_at, id")
                .execute(Tuple.of(targetIds.toArray(UUID[]::new)))
                .map(ShareRepository::invitations);
    }

    /**
     * Pending, unexpired appliance-share invitations for this email, locked so two sign-ins cannot accept one twice.
     * Household invitations are not among them: the invitee accepts those (acceptInvitation).
     */
    public Uni<List<InvitationRecord>> pendingApplianceInvitationsFor(SqlClient client, String email) {
        return client.preparedQuery(INVITATION + "where email = $1 and household_id is null "
                        + "and accepted_at is null and cancelled_at is null and (expires_at is null or expires_at > now()) "
                        + "for update skip locked")
                .execute(Tuple.of(email))
                .map(ShareRepository::invitations);
    }

    /** Every pending, unexpired invitation for this email (what its invitee may accept or decline). */
    public Uni<List<InvitationRecord>> pendingFor(SqlClient client, String email) {
        return client.preparedQuery(INVITATION + "where email = $1 and accepted_at is null "
                        + "and cancelled_at is null and (expires_at is null or expires_at > now()) order by created_at, id")
                .execute(Tuple.of(email))
                .map(ShareRepository::invitations);
    }

    /** The invitation if it is pending, unexpired and for this email, locked against a second acceptance. */
    public Uni<Optional<InvitationRecord>> lockPendingFor(SqlClient client, UUID invitationId, String email) {
        return client.preparedQuery(INVITATION + "where id = $1 and email = $2 and accepted_at is null "
                        + "and cancelled_at is null and (expires_at is null or expires_at > now()) for update")
                .execute(Tuple.of(invitationId, email))
                .map(rows -> rows.rowCount() == 0 ? Optional.empty() : Optional.of(InvitationRecord.from(rows.iterator().next())));
    }

    /**
     * The household role the person with this (verified) email holds now or has been invited to: ADMIN if either is,
     * otherwise the membership's role, otherwise the pending invitation's; empty if neither.
     */
    public Uni<Optional<Role>> currentHouseholdRole(SqlClient client, UUID householdId, String email) {
        return client.preparedQuery("""
                        select case when 'ADMIN' in (m.role, i.role) then 'ADMIN' else coalesce(m.role, i.role) end as role
                        from (select (select s.role from share s join app_user u on u.id = s.recipient_id
                                      where s.household_id = $1 and u.email = $2 and u.email_verified and %s) as role) m,
                             (select (select role from invitation where household_id = $1 and email = $2
                                      and accepted_at is null and cancelled_at is null) as role) i""".formatted(ACTIVE))
                .execute(Tuple.of(householdId, email))
                .map(rows -> Optional.ofNullable(rows.iterator().next().getString("role")).map(Role::valueOf));
    }

    public Uni<Void> markAccepted(SqlClient client, UUID invitationId, UUID shareId) {
        return client.preparedQuery("update invitation set accepted_at = now(), share_id = $2, updated_at = now() "
                + "where id = $1").execute(Tuple.of(invitationId, shareId)).replaceWithVoid();
    }

    public Uni<Void> cancelInvitation(SqlClient client, UUID invitationId) {
        return client.preparedQuery("update invitation set cancelled_at = now(), updated_at = now() where id = $1 "
                + "and accepted_at is null and cancelled_at is null").execute(Tuple.of(invitationId)).replaceWithVoid();
    }

    private static String[] names(Set<Capability> capabilities) {
        return capabilities == null ? null : capabilities.stream().map(Enum::name).sorted().toArray(String[]::new);
    }

    private static Optional<ShareRecord> first(RowSet<Row> rows) {
        var iterator = rows.iterator();
        return iterator.hasNext() ? Optional.of(ShareRecord.from(iterator.next())) : Optional.empty();
    }

    private static List<InvitationRecord> invitations(RowSet<Row> rows) {
        List<InvitationRecord> result = new ArrayList<>();
        rows.forEach(row -> result.add(InvitationRecord.from(row)));
        return result;
    }

    private static List<ShareRecord> all(RowSet<Row> rows) {
        List<ShareRecord> result = new ArrayList<>();
        rows.forEach(row -> result.add(ShareRecord.from(row)));
        return result;
    }
}
