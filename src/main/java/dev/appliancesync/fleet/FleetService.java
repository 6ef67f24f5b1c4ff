package dev.appliancesync.fleet;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.access.AuditLog;
import dev.appliancesync.access.Authorizer;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import dev.appliancesync.common.metrics.ServiceMetrics;
import dev.appliancesync.identity.Caller;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Fleet search for operators: which appliances match a query over type, firmware, presence, household and shadow
 * attributes, paged, with totals and counts. Only the types the policies let the caller search are ever read. An
 * allowed search is audited, since operators reading across every customer's appliances is what an auditor asks about;
 * a refused one is a read like any other: counted in the read-denials metric, never written, so that no one who may not
 * search can fill the audit log by asking.
 */
@ApplicationScoped
public class FleetService {

    /** One page and what the rest of the request (totals, counts) asks again. */
    public record Page(List<FleetAppliance> appliances, String endCursor, boolean hasMore, FleetSearch search) {
    }

    private static final int AUDITED_QUERY_CHARS = 4000;

    private final Transactions db;
    private final Authorizer authorizer;
    private final AuditLog audit;
    private final FleetRepository fleet;
    private final FleetPredicates predicates;
    private final FleetConfig config;
    private final ServiceMetrics metrics;

    public FleetService(Transactions db, Authorizer authorizer, AuditLog audit, FleetRepository fleet,
            FleetPredicates predicates, FleetConfig config, ServiceMetrics metrics) {
        this.metrics = metrics;
        this.db = db;
        this.authorizer = authorizer;
        this.audit = audit;
        this.fleet = fleet;
        this.predicates = predicates;
        this.config = config;
    }

    public Uni<Page> search(Caller caller, FleetQuery query, Integer first, String after) {
        return Uni.createFrom().deferred(() -> {
            int size = first == null ? config.defaultPageSize() : first;
            if (size < 1 || size > config.maxPageSize()) {
                throw ApiException.validation("first must be between 1 and " + config.maxPageSize());
            }
            UUID from = after == null ? null : FleetCursor.parse(after);
            predicates.check(query);
            FleetAuthorization.Verdict verdict = FleetAuthorization.decide(authorizer.session(caller.subject()));
            AuditLog.Entry entry = new AuditLog.Entry(caller.id(), FleetAuthorization.SEARCH_FLEET, null,
                    "fleet/appliances", verdict.decision(), new JsonObject().put("query", auditable(query))
                            .put("types", new JsonArray(verdict.types().stream().map(Enum::name).sorted().toList())));
            if (verdict.types().isEmpty()) {
                metrics.accessReadDenials("fleet", ErrorCode.FORBIDDEN).increment();
                throw new ApiException(ErrorCode.FORBIDDEN, "Searching the fleet is for operators",
                        Map.of("action", FleetAuthorization.SEARCH_FLEET));
            }
            FleetSearch search = new FleetSearch(verdict.types(), query);
            // The audit row and the page go out together; if the audit fails, so does the search.
            return Uni.combine().all().unis(audit.record(db.reads(), entry), fleet.page(db.reads(), search, from,
                    size + 1)).asTuple().map(done -> {
                        List<FleetAppliance> found = done.getItem2();
                        boolean more = found.size() > size;
                        List<FleetAppliance> page = more ? found.subList(0, size) : found;
                        String cursor = page.isEmpty() ? after : FleetCursor.of(page.getLast().id());
                        return new Page(List.copyOf(page), cursor, more, search);
                    });
        });
    }

    /** The query as the audit row keeps it: readable, and bounded however many values the query holds. */
    private static String auditable(FleetQuery query) {
        String text = String.valueOf(query);
        return text.length() <= AUDITED_QUERY_CHARS ? text : text.substring(0, AUDITED_QUERY_CHARS) + "...";
    }

    /** How many appliances the page's search matches in all. */
    public Uni<Integer> total(FleetSearch search) {
        return fleet.total(db.reads(), search);
    }

    /** The page's search counted by a field or an attribute. */
    public Uni<List<FleetCount>> counts(FleetSearch search, FleetCountBy by) {
        return Uni.createFrom().deferred(() -> {
            if (by == null || (by.field() == null) == (by.attribute() == null)) {
                throw FleetErrors.badQuery("counts(by:) takes exactly one of field and attribute");
            }
            if (by.shadow() != null && by.attribute() == null) {
                throw FleetErrors.badQuery("counts(by:) takes shadow only with attribute");
            }
            return fleet.counts(db.reads(), search, by, config.maxCountBuckets());
        });
    }
}
