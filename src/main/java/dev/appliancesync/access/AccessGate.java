package dev.appliancesync.access;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import dev.appliancesync.common.error.Ids;
import dev.appliancesync.common.metrics.ServiceMetrics;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.tuples.Tuple2;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlClient;

/**
 * Checks one action on one resource. A change ({@link #require}) is checked inside its transaction and its decision
 * audited; a read ({@link #check}) writes nothing, since a read that inserts a row per field lets anyone who may view
 * one thing fill the audit log and slow its owner's changes: its denials are only counted in a metric. Someone who may
 * not even view the resource gets NOT_FOUND, exactly as for an id that does not exist; someone who may view it but
 * not do this gets FORBIDDEN naming the action.
 */
@ApplicationScoped
public class AccessGate {

    /** What is being checked: the resource, the caller's grants on it, the action that makes it visible. */
    public record Target(Resource resource, List<Grant> grants, String viewAction, String kind, UUID id, UUID applianceId) {
    }

    /** Reads refused (NOT_FOUND or FORBIDDEN) by kind of resource: what the audit log records for changes. */

    private final AuditLog audit;
    private final Transactions db;
    private final ServiceMetrics metrics;

    public AccessGate(AuditLog audit, Transactions db, ServiceMetrics metrics) {
        this.audit = audit;
        this.db = db;
        this.metrics = metrics;
    }

    /**
     * Checks a change inside its transaction {@code tx}, audits the decision, allowed or denied, and when allowed
     * runs {@code work}. The audit row and the work's first statement go to the database together, without one
     * waiting for the other's answer (the connection keeps their order); if either fails, so does the change, and its
     * transaction with it.
     */
    public <R> Uni<R> require(SqlClient tx, Authorizer.Session session, Target target, String action,
            Map<String, String> facts, Supplier<Uni<R>> work) {
        UUID actor = session.subject().userId();
        Verdict verdict = verdict(session, target, action, facts);
        if (verdict.error() != null) {
            return deny(actor, action, target.kind(), target.id(), target.applianceId(), verdict.decision(), facts,
                    verdict.error());
        }
        Uni<Void> audited = audit.record(tx, new AuditLog.Entry(actor, action, target.applianceId(),
                target.kind() + "/" + target.id(), verdict.decision(), new JsonObject(Map.copyOf(facts))));
        return Uni.combine().all().unis(audited, Uni.createFrom().<R> deferred(work::get)).asTuple()
                .map(Tuple2::getItem2);
    }

    /** Checks a read: throws NOT_FOUND or FORBIDDEN as {@link #require} would, and writes nothing. */
    public void check(Authorizer.Session session, Target target, String action) {
        ApiException error = verdict(session, target, action, Map.of()).error();
        if (error != null) {
            throw readDenied(target.kind(), error);
        }
    }

    /** A read of a resource that does not exist: NOT_FOUND, counted, not audited. */
    public ApiException readMissing(String kind) {
        return readDenied(kind, Ids.notFound(kind));
    }

    private ApiException readDenied(String kind, ApiException error) {
        metrics.accessReadDenials(kind, error.code()).increment();
        return error;
    }

    private record Verdict(Decision decision, ApiException error) {
    }

    private static Verdict verdict(Authorizer.Session session, Target target, String action, Map<String, String> facts) {
        Decision view = session.decide(target.viewAction(), target.resource(), target.grants(), facts);
        if (!view.allowed()) {
            return new Verdict(view, Ids.notFound(target.kind()));
        }
        Decision decision = action.equals(target.viewAction()) ? view
                : session.decide(action, target.resource(), target.grants(), facts);
        if (!decision.allowed()) {
            return new Verdict(decision, new ApiException(ErrorCode.FORBIDDEN, "Your access to this " + target.kind()
                    + " does not include " + action, Map.of("action", action)));
        }
        return new Verdict(decision, null);
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
