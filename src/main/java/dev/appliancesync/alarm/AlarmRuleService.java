package dev.appliancesync.alarm;

import java.util.List;
import java.util.UUID;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.access.AuditLog;
import dev.appliancesync.access.Authorizer;
import dev.appliancesync.access.Decision;
import dev.appliancesync.access.Resource;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import dev.appliancesync.common.error.Ids;
import dev.appliancesync.identity.Caller;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Operators manage alarm rules: every call is decided by the policies (action {@value #MANAGE}, on the fleet; the
 * default policies allow group {@code admin}), and every change is audited with the rule as it is afterwards, a refusal
 * on its own. A change takes effect in its own transaction: the rule's timers are started, moved or ended (and raised
 * alarms cleared) against the stored shadows, so a rule created while a door stands open starts counting at once.
 */
@ApplicationScoped
public class AlarmRuleService {

    public static final String MANAGE = "MANAGE_ALARM_RULES";

    private final Transactions db;
    private final AlarmRuleRepository rules;
    private final AlarmTimers timers;
    private final AlarmScheduler scheduler;
    private final Authorizer authorizer;
    private final AuditLog audit;

    public AlarmRuleService(Transactions db, AlarmRuleRepository rules, AlarmTimers timers, AlarmScheduler scheduler,
            Authorizer authorizer, AuditLog audit) {
        this.db = db;
        this.rules = rules;
        this.timers = timers;
        this.scheduler = scheduler;
        this.authorizer = authorizer;
        this.audit = audit;
    }

    /** Every rule; FORBIDDEN for a caller the policies do not allow (a read: counted nowhere, not audited). */
    public Uni<List<AlarmRule>> list(Caller caller) {
        if (!decide(caller).allowed()) {
            return Uni.createFrom().failure(forbidden());
        }
        return rules.all(db.reads());
    }

    public Uni<AlarmRule> create(Caller caller, AlarmRuleDraft draft) {
        return change(caller, "CREATE", null, tx -> rules.insert(tx, draft)
                .call(rule -> timers.afterRule(tx, rule.id()).invoke(this::wake)));
    }

    public Uni<AlarmRule> update(Caller caller, UUID ruleId, AlarmRuleDraft draft) {
        return change(caller, "UPDATE", ruleId, tx -> rules.update(tx, ruleId, draft)
                .map(updated -> updated.orElseThrow(() -> Ids.notFound("alarm rule")))
                .call(rule -> timers.afterRule(tx, rule.id()).invoke(this::wake)));
    }

    /** Deletes the rule; its raised alarms are cleared first (ALARM_CLEARED), its pending timers dropped. */
    public Uni<AlarmRule> delete(Caller caller, UUID ruleId) {
        return change(caller, "DELETE", ruleId, tx -> rules.find(tx, ruleId, true)
                .map(found -> found.orElseThrow(() -> Ids.notFound("alarm rule")))
                .call(rule -> rules.update(tx, ruleId, new AlarmRuleDraft(rule.name(),
                        java.util.Set.copyOf(rule.applianceTypes()), rule.condition(), rule.duration(), false)))
                .call(rule -> timers.afterRule(tx, ruleId))
                .call(rule -> rules.delete(tx, ruleId)));
    }

    /** Decides, then runs {@code work} and audits it in one transaction; a refusal is audited on its own. */
    private Uni<AlarmRule> change(Caller caller, String operation, UUID ruleId,
            Function<SqlConnection, Uni<AlarmRule>> work) {
        Decision decision = decide(caller);
        JsonObject context = new JsonObject().put("operation", operation);
        if (!decision.allowed()) {
            return audit.record(db.reads(), entry(caller, ruleId, decision, context))
                    .replaceWith(Uni.createFrom().failure(forbidden()));
        }
        return db.inTransaction(tx -> work.apply(tx).call(rule -> audit.record(tx,
                entry(caller, rule.id(), decision, context.put("rule", rule.facts())))));
    }

    private Decision decide(Caller caller) {
        Authorizer.Session session = authorizer.session(caller.subject());
        return session.decide(MANAGE, new Resource.Fleet(), List.of());
    }

    private static AuditLog.Entry entry(Caller caller, UUID ruleId, Decision decision, JsonObject context) {
        return new AuditLog.Entry(caller.id(), MANAGE, null, "alarm-rule/" + (ruleId == null ? "new" : ruleId),
                decision, context);
    }

    private void wake(java.util.Optional<java.time.Duration> nearest) {
        nearest.ifPresent(scheduler::wakeIn);
    }

    private static ApiException forbidden() {
        return new ApiException(ErrorCode.FORBIDDEN, "Managing alarm rules is for operators (group admin)");
    }
}
