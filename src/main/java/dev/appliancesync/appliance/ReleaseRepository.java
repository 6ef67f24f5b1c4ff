package dev.appliancesync.appliance;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * What releasing an appliance ends in other features' tables: its shares, pending invitations and other people's
 * preferences. Here rather than in those features because they depend on appliances, not the other way round.
 */
@ApplicationScoped
public class ReleaseRepository {

    /** A share ended by the release: who loses access. */
    public record RevokedShare(UUID shareId, UUID recipientId) {
    }

    /** Revokes every active share of the appliance with {@code reason}; the shares it ended. */
    public Uni<List<RevokedShare>> revokeShares(SqlClient tx, UUID applianceId, UUID actor, String reason) {
        return tx.preparedQuery("""
                        update share set revoked_at = now(), revoked_by = $2, revoke_reason = $3, updated_at = now()
                        where appliance_id = $1 and revoked_at is null
                        returning id, recipient_id""")
                .execute(Tuple.of(applianceId, actor, reason))
                .map(rows -> {
                    List<RevokedShare> revoked = new ArrayList<>();
                    for (Row row : rows) {
                        revoked.add(new RevokedShare(row.getUUID("id"), row.getUUID("recipient_id")));
                    }
                    return revoked;
                });
    }

    public Uni<Void> cancelInvitations(SqlClient tx, UUID applianceId) {
        return tx.preparedQuery("update invitation set cancelled_at = now(), updated_at = now() "
                + "where appliance_id = $1 and accepted_at is null and cancelled_at is null")
                .execute(Tuple.of(applianceId)).replaceWithVoid();
    }

    /** Drops every preference for the appliance but the new owner's (null: everyone's). */
    public Uni<Void> dropPreferencesExcept(SqlClient tx, UUID applianceId, UUID keep) {
        return tx.preparedQuery("delete from preference where appliance_id = $1 and user_id is distinct from $2")
                .execute(Tuple.of(applianceId, keep)).replaceWithVoid();
    }
}
