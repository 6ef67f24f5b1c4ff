package dev.appliancesync.access;

import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Decisions that matter, for whoever has to answer "who did what, and why was it allowed": every decision behind a
 * mutation, allowed or denied. An allowed change is audited in its own transaction; a denial in a statement of its
 * own, since the denied request's transaction rolls back.
 */
@ApplicationScoped
public class AuditLog {

    public record Entry(UUID actorId, String action, UUID applianceId, String resource, Decision decision,
            JsonObject context) {
    }

    public Uni<Void> record(SqlClient client, Entry entry) {
        return client.preparedQuery("""
                insert into audit_log (actor_id, action, appliance_id, resource, decision, policies, context)
                values ($1, $2, $3, $4, $5, $6, $7)""")
                .execute(Tuple.from(new Object[] { entry.actorId(), entry.action(), entry.applianceId(), entry.resource(),
                        entry.decision().allowed() ? "ALLOW" : "DENY", entry.decision().policies().toArray(String[]::new),
                        entry.context() }))
                .replaceWithVoid();
    }
}
