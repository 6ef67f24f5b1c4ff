package dev.appliancesync.appliance;

import static dev.appliancesync.change.ChangeType.APPLIANCE_HOUSEHOLD_CHANGED;
import static dev.appliancesync.change.ChangeType.APPLIANCE_RENAMED;
import static dev.appliancesync.change.ChangeType.HOUSEHOLD_APPLIANCE_ADDED;
import static dev.appliancesync.change.ChangeType.HOUSEHOLD_APPLIANCE_REMOVED;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.access.AuditLog;
import dev.appliancesync.access.Authorizer;
import dev.appliancesync.access.Capability;
import dev.appliancesync.access.Decision;
import dev.appliancesync.access.Guard;
import dev.appliancesync.access.Resource;
import dev.appliancesync.change.Change;
import dev.appliancesync.change.ChangeLog;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import dev.appliancesync.common.error.Ids;
import dev.appliancesync.household.HouseholdAction;
import dev.appliancesync.household.HouseholdRepository;
import dev.appliancesync.identity.Caller;
import dev.appliancesync.change.Change;
import dev.appliancesync.change.ChangeLog;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

/**
 * Appliances through their life: provisioned, listed, renamed, moved between households. Claiming is
 * {@link ClaimService}'s, removal, transfer and factory reset {@link ApplianceReleases}'.
 */
@ApplicationScoped
public class ApplianceService {

    public static final String PROVISION = "PROVISION_APPLIANCE";

    private final Transactions db;
    private final ApplianceRepository appliances;
    private final HouseholdRepository households;
    private final Guard guard;
    private final Authorizer authorizer;
    private final AuditLog audit;
    private final ChangeLog changes;
    private final ClaimConfig claims;

    public ApplianceService(Transactions db, ApplianceRepository appliances, HouseholdRepository households,
            Guard guard, Authorizer authorizer, AuditLog audit, ChangeLog changes, ClaimConfig claims) {
        this.db = db;
        this.appliances = appliances;
        this.households = households;
        this.guard = guard;
        this.authorizer = authorizer;
        this.audit = audit;
        this.changes = changes;
        this.claims = claims;
    }

    /** Every appliance the caller may view, with what they may do: one query, and the policies asked once per kind. */
    public Uni<List<ApplianceView>> list(Caller caller) {
        Authorizer.Session session = authorizer.session(caller.subject());
        return appliances.reachableBy(db.reads(), caller.id()).map(all -> {
            List<ApplianceView> views = new ArrayList<>(all.size());
            for (ApplianceAccess access : all) {
                List<Capability> capabilities = session.capabilities(access.appliance().resource(), access.grants());
                if (capabilities.contains(Capability.VIEW_STATUS)) {
                    views.add(new ApplianceView(access.appliance(), access.strongestRole(), capabilities));
                }
            }
            return views;
        });
    }

    /** The appliance if the caller may view it; NOT_FOUND otherwise, exactly as for an unknown id. */
    public Uni<ApplianceView> get(Caller caller, UUID applianceId) {
        Authorizer.Session session = authorizer.session(caller.subject());
        return appliances.find(db.reads(), caller.id(), applianceId, false).map(found -> found
                .map(access -> view(session, access))
                .filter(view -> view.may(Capability.VIEW_STATUS))
                .orElseThrow(() -> Ids.notFound("appliance")));
    }

    public Uni<ApplianceRecord> provision(Caller caller, String serialNumber, ApplianceType type,
            String claimCode, String thingName, String firmwareVersion) {
        String name = thingName == null ? serialNumber : thingName;
        Optional<String> wrong = ApplianceNaming.identityProblem(serialNumber, name);
        if (wrong.isPresent()) {
            return failure(ApiException.validation(wrong.get()));
        }
        if (claimCode == null || claimCode.strip().length() < claims.minCodeLength() || claimCode.length() > 128) {
            return failure(ApiException.validation("A claim code has " + claims.minCodeLength()
                    + " to 128 characters: it is all that keeps strangers from claiming the appliance"));
        }
        Authorizer.Session session = authorizer.session(caller.subject());
        Decision decision = session.decide(PROVISION, new Resource.Fleet(), List.of());
        AuditLog.Entry entry = new AuditLog.Entry(caller.id(), PROVISION, null, "fleet/" + serialNumber, decision,
                new JsonObject().put("serialNumber", serialNumber));
        if (!decision.allowed()) {
            return audit.record(db.reads(), entry).replaceWith(failure(new ApiException(ErrorCode.FORBIDDEN,
                    "Provisioning appliances is for operators (group admin)")));
        }
        return db.inTransaction(tx -> appliances.insertProvisioned(tx, serialNumber, type, name,
                        ClaimCodes.hash(claimCode), firmwareVersion)
                .flatMap(inserted -> {
                    if (inserted.isEmpty()) {
                        return failure(new ApiException(ErrorCode.CONFLICT,
                                "An appliance with this serial number or thing name is already provisioned"));
                    }
                    return audit.record(tx, entry).replaceWith(new ApplianceRecord(inserted.get(), serialNumber, type,
                            name, null, firmwareVersion, null, null, null, null));
                }));
    }

    public Uni<ApplianceView> rename(Caller caller, UUID applianceId, String name) {
        String cleanName = ApplianceNaming.validName(name);
        return guard.change(caller.subject(), appliances, applianceId, Capability.RENAME,
                        locked -> appliances.rename(locked.tx(), applianceId, cleanName)
                                .flatMap(done -> changes.append(locked.tx(), Change.forAppliance(applianceId,
                                        APPLIANCE_RENAMED, new JsonObject()
                                                .put("applianceId", applianceId.toString()).put("name", cleanName)))))
                .flatMap(done -> get(caller, applianceId));
    }

    /**
     * Puts the appliance into a household, or takes it out (null). Its thing name stays what it is: the device keeps
     * connecting under it, and commands keep going to {@code appliances/<thing name>/commands}.
     */
    public Uni<ApplianceView> assignHousehold(Caller caller, UUID applianceId, UUID householdId) {
        return guard.change(caller.subject(), appliances, applianceId, Capability.ASSIGN_HOUSEHOLD, locked -> {
                    ApplianceRecord appliance = locked.resource().appliance();
                    Uni<Void> allowed = householdId == null ? Uni.createFrom().voidItem()
                            : guard.require(locked.tx(), locked.session(), households, householdId,
                                    HouseholdAction.ADD_APPLIANCE, Map.of()).replaceWithVoid();
                    return allowed.flatMap(ok -> appliances.moveToHousehold(locked.tx(), applianceId, householdId))
                            .flatMap(done -> {
                                List<Change> entries = new ArrayList<>();
                                JsonObject payload = new PlacementFacts(applianceId, householdId).toJson();
                                entries.add(Change.forAppliance(applianceId, APPLIANCE_HOUSEHOLD_CHANGED, payload));
                                if (appliance.householdId() != null) {
                                    entries.add(Change.forHousehold(appliance.householdId(), HOUSEHOLD_APPLIANCE_REMOVED, payload));
                                }
                                if (householdId != null) {
                                    entries.add(Change.forHousehold(householdId, HOUSEHOLD_APPLIANCE_ADDED, payload));
                                }
                                return changes.append(locked.tx(), entries);
                            });
                })
                .flatMap(done -> get(caller, applianceId));
    }

    private ApplianceView view(Authorizer.Session session, ApplianceAccess access) {
        return new ApplianceView(access.appliance(), access.strongestRole(),
                session.capabilities(access.appliance().resource(), access.grants()));
    }

    private static <T> Uni<T> failure(Throwable failure) {
        return Uni.createFrom().failure(failure);
    }
}
