package dev.appliancesync.fleet;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.access.AuditLog;
import dev.appliancesync.access.Authorizer;
import dev.appliancesync.appliance.ApplianceType;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import dev.appliancesync.common.error.Ids;
import dev.appliancesync.common.metrics.ServiceMetrics;
import dev.appliancesync.identity.Caller;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Dynamic fleet groups: an operator saves a fleet query under a name, and the group's members are what that query
 * matches among the types the operator could search, kept up to date by {@link FleetGroupMembership}. Who may do
 * anything with groups is the fleet search's question (Cedar's SEARCH_FLEET, per type): groups are shared by the
 * operators, and each sees of a group only the members of types they may search. Saving and deleting are audited,
 * allowed or denied, like every mutation; a refused read is counted, never written, like a refused search.
 */
@ApplicationScoped
public class FleetGroupService {

    /** A group as one caller may see it: only members of {@code visibleTypes} are shown to them. */
    public record Visible(FleetGroup group, List<String> visibleTypes) {
    }

    /** One page of a group's members. */
    public record Members(List<FleetAppliance> appliances, String endCursor, boolean hasMore) {
    }

    static final String SAVE = "SAVE_FLEET_GROUP";
    static final String DELETE = "DELETE_FLEET_GROUP";
    private static final int MAX_NAME = 100;
    /** Far longer than any shadow update's transaction: one that read a group before its deletion has ended. */
    private static final Duration PURGE_AFTER = Duration.ofMinutes(5);

    private final Transactions db;
    private final Authorizer authorizer;
    private final AuditLog audit;
    private final FleetGroupRepository groups;
    private final FleetPredicates predicates;
    private final FleetConfig config;
    private final ServiceMetrics metrics;

    public FleetGroupService(Transactions db, Authorizer authorizer, AuditLog audit, FleetGroupRepository groups,
            FleetPredicates predicates, FleetConfig config, ServiceMetrics metrics) {
        this.db = db;
        this.authorizer = authorizer;
        this.audit = audit;
        this.groups = groups;
        this.predicates = predicates;
        this.config = config;
        this.metrics = metrics;
    }

    /** Saves the group under {@code name} (replacing one of that name) and fills its members in the same transaction. */
    public Uni<Visible> save(Caller caller, String name, FleetQuery query) {
        return Uni.createFrom().deferred(() -> {
            String trimmed = name == null ? "" : name.strip();
            if (trimmed.isEmpty() || trimmed.length() > MAX_NAME) {
                throw ApiException.validation("A group's name has 1 to " + MAX_NAME + " characters");
            }
            predicates.check(query);
            FleetAuthorization.Verdict verdict = decide(caller);
            AuditLog.Entry entry = new AuditLog.Entry(caller.id(), SAVE, null, "fleet/groups/" + trimmed,
                    verdict.decision(), new JsonObject().put("query", String.valueOf(query))
                            .put("types", typesJson(verdict.types())).put("decidedBy", FleetAuthorization.SEARCH_FLEET));
            if (verdict.types().isEmpty()) {
                // The denied request's transaction is never opened: the denial is audited in a statement of its own.
                return audit.record(db.reads(), entry).replaceWith(Uni.createFrom().failure(forbidden()));
            }
            List<String> types = names(verdict.types());
            // The bound is checked, not locked: two operators saving the last place at once may both get it.
            return db.inTransaction(tx -> groups.count(tx)
                    .flatMap(before -> groups.upsert(tx, trimmed, query, types, caller.id()).invoke(saved -> {
                        if (saved.created() && before >= config.maxGroups()) {
                            throw tooMany();
                        }
                    }))
                    // A new group has no listener yet: filled without events. A replaced one tells its listeners.
                    .call(saved -> groups.reconcile(tx, saved.group(), null, !saved.created()))
                    .call(() -> audit.record(tx, entry))
                    .map(saved -> new Visible(saved.group(), types)));
        });
    }

    /** Every group, each with the types whose members the caller may see. */
    public Uni<List<Visible>> list(Caller caller) {
        return Uni.createFrom().deferred(() -> {
            Set<ApplianceType> permitted = permittedForRead(caller);
            return groups.all(db.reads()).map(all -> all.stream().map(g -> visible(g, permitted)).toList());
        });
    }

    /** The group as the caller may see it, or NOT_FOUND; FORBIDDEN for a caller who may search nothing. */
    public Uni<Visible> find(Caller caller, String groupId) {
        return Uni.createFrom().deferred(() -> {
            Set<ApplianceType> permitted = permittedForRead(caller);
            UUID id = Ids.parse(groupId, "fleet group");
            return groups.find(db.reads(), id).map(found -> visible(
                    found.orElseThrow(() -> Ids.notFound("fleet group")), permitted));
        });
    }

    public Uni<Boolean> delete(Caller caller, String groupId) {
        return Uni.createFrom().deferred(() -> {
            UUID id = Ids.parse(groupId, "fleet group");
            FleetAuthorization.Verdict verdict = decide(caller);
            AuditLog.Entry entry = new AuditLog.Entry(caller.id(), DELETE, null, "fleet/groups/" + id,
                    verdict.decision(), new JsonObject().put("decidedBy", FleetAuthorization.SEARCH_FLEET));
            if (verdict.types().isEmpty()) {
                return audit.record(db.reads(), entry).replaceWith(Uni.createFrom().failure(forbidden()));
            }
            return db.inTransaction(tx -> groups.delete(tx, id).flatMap(deleted -> {
                if (!deleted) {
                    return Uni.createFrom().failure(Ids.notFound("fleet group"));
                }
                return audit.record(tx, entry).flatMap(done -> groups.purgeDeleted(tx, PURGE_AFTER)).replaceWith(true);
            }));
        });
    }

    /** A page of the group's members of the types the caller may see, in id order. */
    public Uni<Members> members(Visible group, Integer first, String after) {
        return Uni.createFrom().deferred(() -> {
            int size = first == null ? config.defaultPageSize() : first;
            if (size < 1 || size > config.maxPageSize()) {
                throw ApiException.validation("first must be between 1 and " + config.maxPageSize());
            }
            UUID from = after == null ? null : FleetCursor.parse(after);
            return groups.members(db.reads(), group.group().id(), group.visibleTypes(), from, size + 1).map(found -> {
                boolean more = found.size() > size;
                List<FleetAppliance> page = more ? found.subList(0, size) : found;
                String cursor = page.isEmpty() ? after : FleetCursor.of(page.getLast().id());
                return new Members(List.copyOf(page), cursor, more);
            });
        });
    }

    public Uni<Integer> memberCount(Visible group) {
        return groups.memberCount(db.reads(), group.group().id(), group.visibleTypes());
    }

    /** The types the caller may search now; FORBIDDEN (a counted read denial) if none. */
    Set<ApplianceType> permittedForRead(Caller caller) {
        Set<ApplianceType> permitted = decide(caller).types();
        if (permitted.isEmpty()) {
            metrics.accessReadDenials("fleet", ErrorCode.FORBIDDEN).increment();
            throw forbidden();
        }
        return permitted;
    }

    static Visible visible(FleetGroup group, Set<ApplianceType> permitted) {
        Set<String> allowed = Set.copyOf(names(permitted));
        return new Visible(group, group.typeNames().stream().filter(allowed::contains).sorted().toList());
    }

    private FleetAuthorization.Verdict decide(Caller caller) {
        return FleetAuthorization.decide(authorizer.session(caller.subject()));
    }

    private static List<String> names(Set<ApplianceType> types) {
        return types.stream().map(Enum::name).sorted().toList();
    }

    private static JsonArray typesJson(Set<ApplianceType> types) {
        return new JsonArray(names(types));
    }

    private static ApiException forbidden() {
        return new ApiException(ErrorCode.FORBIDDEN, "Fleet groups are for operators",
                Map.of("action", FleetAuthorization.SEARCH_FLEET));
    }

    private ApiException tooMany() {
        return new ApiException(ErrorCode.QUOTA_EXCEEDED, "There may be at most " + config.maxGroups() + " fleet groups",
                Map.of("limit", "maxGroups", "max", config.maxGroups()));
    }
}
