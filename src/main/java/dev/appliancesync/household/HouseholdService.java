package dev.appliancesync.household;

import static dev.appliancesync.change.ChangeType.HOUSEHOLD_CREATED;

import java.security.SecureRandom;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.access.Authorizer;
import dev.appliancesync.change.Change;
import dev.appliancesync.change.ChangeLog;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import dev.appliancesync.identity.Caller;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;

@ApplicationScoped
public class HouseholdService {

    static final int MAX_OWNED = 20;
    private static final String PREFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Transactions db;
    private final HouseholdRepository households;
    private final Authorizer authorizer;
    private final ChangeLog changes;

    public HouseholdService(Transactions db, HouseholdRepository households, Authorizer authorizer, ChangeLog changes) {
        this.db = db;
        this.households = households;
        this.authorizer = authorizer;
        this.changes = changes;
    }

    public Uni<HouseholdAccess> create(Caller caller, String name) {
        String trimmed = name == null ? "" : name.strip();
        if (trimmed.isEmpty() || trimmed.length() > 100) {
            return Uni.createFrom().failure(ApiException.validation("A household name has 1 to 100 characters"));
        }
        return db.inTransaction(tx -> households.countOwnedBy(tx, caller.id()).flatMap(owned -> {
            if (owned >= MAX_OWNED) {
                return Uni.createFrom().failure(new ApiException(ErrorCode.QUOTA_EXCEEDED,
                        "You own " + owned + " households, the most allowed",
                        Map.of("limit", "households-per-user", "max", MAX_OWNED)));
            }
            return insertWithFreshPrefix(tx, trimmed, caller, 5);
        })).map(household -> new HouseholdAccess(household, dev.appliancesync.access.Role.OWNER));
    }

    /** Visible households of the caller. */
    public Uni<List<HouseholdAccess>> list(Caller caller) {
        Authorizer.Session session = authorizer.session(caller.subject());
        return households.of(db.reads(), caller.id()).map(all -> all.stream()
                .filter(h -> session.decide(HouseholdAction.VIEW_HOUSEHOLD.name(), h.target().resource(), h.grants())
                        .allowed())
                .toList());
    }

    /** What the caller may do with the household, as the policies decide now. */
    public List<HouseholdAction> actions(Caller caller, HouseholdAccess household) {
        Authorizer.Session session = authorizer.session(caller.subject());
        return java.util.Arrays.stream(HouseholdAction.values())
                .filter(action -> session.decide(action.name(), household.target().resource(), household.grants())
                        .allowed())
                .toList();
    }

    /** Prefixes are random (36^8); a collision is retried rather than failing the request. */
    private Uni<HouseholdRecord> insertWithFreshPrefix(SqlConnection tx, String name, Caller caller, int attempts) {
        return households.insert(tx, name, randomPrefix(), caller.id()).flatMap(household -> {
            if (household == null) {
                return attempts > 1 ? insertWithFreshPrefix(tx, name, caller, attempts - 1)
                        : Uni.createFrom().failure(new IllegalStateException("No free household prefix"));
            }
            return changes.append(tx, Change.forUser(caller.id(), HOUSEHOLD_CREATED,
                    new JsonObject().put("householdId", household.id().toString()).put("name", household.name())))
                    .replaceWith(household);
        });
    }

    private static String randomPrefix() {
        StringBuilder prefix = new StringBuilder(8);
        for (int i = 0; i < 8; i++) {
            prefix.append(PREFIX_ALPHABET.charAt(RANDOM.nextInt(PREFIX_ALPHABET.length())));
        }
        return prefix.toString();
    }
}
