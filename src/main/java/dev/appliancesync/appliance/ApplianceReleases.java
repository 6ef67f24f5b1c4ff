package dev.appliancesync.appliance;

import static dev.appliancesync.change.ChangeType.APPLIANCE_RELEASED;
import static dev.appliancesync.change.ChangeType.HOUSEHOLD_APPLIANCE_REMOVED;
import static dev.appliancesync.change.ChangeType.OWNERSHIP_TRANSFERRED;
import static dev.appliancesync.change.ChangeType.SHARE_REVOKED;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.access.Capability;
import dev.appliancesync.access.Guard;
import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import dev.appliancesync.identity.AppUser;
import dev.appliancesync.identity.Caller;
import dev.appliancesync.identity.Emails;
import dev.appliancesync.identity.UserRepository;
import dev.appliancesync.change.Change;
import dev.appliancesync.change.ChangeLog;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.SqlConnection;

/**
 * Ending everyone's access to an appliance: the owner removes it, transfers it, or the device reports a factory
 * reset. One service for the API and device ingestion, so a reset ends exactly what a removal ends.
 */
@ApplicationScoped
public class ApplianceReleases {

    private final Guard guard;
    private final ApplianceRepository appliances;
    private final ReleaseRepository released;
    private final ChangeLog changes;
    private final UserRepository users;

    public ApplianceReleases(Guard guard, ApplianceRepository appliances, ReleaseRepository released,
            ChangeLog changes, UserRepository users) {
        this.guard = guard;
        this.appliances = appliances;
        this.released = released;
        this.changes = changes;
        this.users = users;
    }

    /** Releases the appliance: no owner, no household, every share ended; it can be claimed again with its code. */
    public Uni<UUID> remove(Caller caller, UUID applianceId) {
        return guard.change(caller.subject(), appliances, applianceId, Capability.REMOVE,
                        locked -> release(locked.tx(), locked.resource().appliance(), null, "REMOVED", caller.id()))
                .replaceWith(applianceId);
    }

    /** Gives the appliance to the account with this verified email; every share and household tie ends. */
    public Uni<ApplianceRecord> transfer(Caller caller, UUID applianceId, String newOwnerEmail) {
        String email = Emails.normalise(newOwnerEmail);
        return guard.change(caller.subject(), appliances, applianceId, Capability.TRANSFER,
                locked -> users.findByVerifiedEmail(locked.tx(), email).flatMap(found -> {
                    AppUser newOwner = found.orElse(null);
                    if (newOwner == null) {
                        return Uni.createFrom().failure(new ApiException(ErrorCode.NOT_FOUND,
                                "No account has this verified email; the new owner must sign up first",
                                Map.of("reason", "UNKNOWN_RECIPIENT")));
                    }
                    if (newOwner.id().equals(caller.id())) {
                        return Uni.createFrom().failure(ApiException.validation("You already own this appliance"));
                    }
                    ApplianceRecord appliance = locked.resource().appliance();
                    return release(locked.tx(), appliance, newOwner.id(), "TRANSFERRED", caller.id())
                            .replaceWith(appliance);
                }));
    }

    /** The device reported a factory reset: released as a removal is, by nobody in particular. */
    public Uni<Void> factoryReset(SqlConnection tx, UUID applianceId) {
        return appliances.find(tx, null, applianceId, true)
                .chain(found -> found.isEmpty() ? Uni.createFrom().voidItem()
                        : release(tx, found.get().appliance(), null, "FACTORY_RESET", null));
    }

    /**
     * Ends everyone's access but the new owner's (null: nobody owns it any more): shares revoked with {@code reason},
     * invitations cancelled, other people's preferences dropped, out of its household (its thing name stays).
     */
    private Uni<Void> release(SqlConnection tx, ApplianceRecord appliance, UUID newOwner, String reason, UUID actor) {
        UUID id = appliance.id();
        return released.revokeShares(tx, id, actor, reason)
                .flatMap(revoked -> changes.append(tx, releaseChanges(appliance, revoked, newOwner, reason)))
                .flatMap(done -> released.cancelInvitations(tx, id))
                .flatMap(done -> released.dropPreferencesExcept(tx, id, newOwner))
                .flatMap(done -> appliances.changeOwner(tx, id, newOwner));
    }

    /** Who learns of a release: each recipient of an ended share, the old and new owner, the household, viewers. */
    private static List<Change> releaseChanges(ApplianceRecord appliance, List<ReleaseRepository.RevokedShare> revoked,
            UUID newOwner, String reason) {
        UUID id = appliance.id();
        List<Change> entries = new ArrayList<>();
        for (ReleaseRepository.RevokedShare share : revoked) {
            entries.add(Change.forUser(share.recipientId(), SHARE_REVOKED,
                    new EndedShareFacts(share.shareId(), id, reason).toJson()));
        }
        JsonObject payload = new OwnershipFacts(id, reason, newOwner).toJson();
        if (appliance.ownerId() != null) {
            entries.add(Change.forUser(appliance.ownerId(), newOwner == null ? APPLIANCE_RELEASED
                    : OWNERSHIP_TRANSFERRED, payload));
        }
        if (newOwner != null) {
            entries.add(Change.forUser(newOwner, OWNERSHIP_TRANSFERRED, payload));
        }
        if (appliance.householdId() != null) {
            entries.add(Change.forHousehold(appliance.householdId(), HOUSEHOLD_APPLIANCE_REMOVED, payload));
        }
        entries.add(Change.forAppliance(id, newOwner == null ? APPLIANCE_RELEASED : OWNERSHIP_TRANSFERRED,
                payload));
        return entries;
    }
}
