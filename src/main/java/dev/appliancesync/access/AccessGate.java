package dev.appliancesync.access;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import dev.appliancesync.common.error.Ids;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlClient;

/**
 * Checks one action on one resource inside a transaction and audits the decision. Someone who may not even view the
 * resource gets NOT_FOUND, exactly as for an id that does not exist; someone who may view it but not do this gets
 * FORBIDDEN naming the action.
 */
@ApplicationScoped
public class AccessGate {

    /** What is being checked: the resource, the caller's grants on it, the action that makes it visible. */
    public record Target(Resource resource, List<Grant> grants, String viewAction, String kind, UUID id, UUID applianceId) {
    }

    private final AuditLog audit;
    private final Transactions db;

    public AccessGate(AuditLog audit, Transactions db) {
        this.audit = audit;
        this.db = db;
    }

    public Uni<Void> require(SqlClient tx, Authorizer.Session session, Target target, String action,
            Map<String, String> facts) {
        UUID actor = session.subject().userId();
        Decision view = session.decide(target.viewAction(), target.resource(), target.grants(), facts);
        if (!view.allowed()) {
            return deny(actor, action, target.kind(), target.id(), target.applianceId(), view, facts, Ids.notFound(target.kind()));
        }
        Decision decision = action.equals(target.viewAction()) ? view
                : session.decide(action, target.resource(), target.grants(), facts);
        if (!decision.allowed()) {
            return deny(actor, action, target.kind(), target.id(), target.applianceId(), decision, facts,
                    new ApiException(ErrorCode.FORBIDDEN, "Your access to this " + target.kind() + " does not include "
                            + action, Map.of("action", action)));
        }
        return audit.record(tx, new AuditLog.Entry(actor, action, target.applianceId(), target.kind() + "/" + target.id(),
                decision, new JsonObject(Map.copyOf(facts))));
    }

    /** The resource does not exist: audited like a denial (guessing ids is worth knowing about). */
    public <T> Uni<T> missing(Authorizer.Session session, String kind, UUID id, String action) {
        UUID actor = session.subject().userId();
        return deny(actor, action, kind, id, "appliance".equals(kind) ? id : null, new Decision(false, List.of()),
                Map.of(), Ids.notFound(kind));
    }

    private <T> Uni<T> deny(UUID actor, String action, String kind, UUID id, UUID applianceId, Decision decision,
            Map<String, String> facts, ApiException error) {
        // The caller's transaction rolls back; the denial is recorded on its own.
        return audit.record(db.reads(), new AuditLog.Entry(actor, action, applianceId, kind + "/" + id, decision,
                        new JsonObject(Map.copyOf(facts))))
                .onItemOrFailure().transformToUni((ignored, failure) -> Uni.createFrom().failure(error));
    }
}
