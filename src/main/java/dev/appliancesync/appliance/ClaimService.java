package dev.appliancesync.appliance;

import static dev.appliancesync.change.ChangeType.APPLIANCE_CLAIMED;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import dev.appliancesync.identity.Caller;
import dev.appliancesync.change.Change;
import dev.appliancesync.change.ChangeLog;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;

/** Claiming an unclaimed appliance with the code printed on it, under the claim rate limit. */
@ApplicationScoped
public class ClaimService {

    private final Transactions db;
    private final ApplianceRepository appliances;
    private final ClaimAttempts attempts;
    private final ChangeLog changes;
    private final ApplianceService lifecycle;

    public ClaimService(Transactions db, ApplianceRepository appliances, ClaimAttempts attempts, ChangeLog changes,
            ApplianceService lifecycle) {
        this.db = db;
        this.appliances = appliances;
        this.attempts = attempts;
        this.changes = changes;
        this.lifecycle = lifecycle;
    }

    /**
     * Claims an unclaimed appliance with the code printed on it. The attempt is counted before the code is compared,
     * in the same transaction ({@link ClaimAttempts}), so concurrent guesses get no more checks than the limit. An
     * unknown serial number and a wrong code get the same answer at the same cost ({@link #claimRefused()}); only
     * someone holding the right code learns that the appliance is already claimed.
     */
    public Uni<ApplianceView> claim(Caller caller, String serialNumber, String claimCode, String name) {
        String cleanName = name == null ? null : ApplianceNaming.validName(name);
        Optional<String> wrongSerial = ApplianceNaming.serialProblem(serialNumber);
        if (wrongSerial.isPresent()) {
            return Uni.createFrom().failure(ApiException.validation(wrongSerial.get()));
        }
        String offered = ClaimCodes.hash(claimCode == null ? "" : claimCode);
        return db.inTransaction(tx -> attempts.admit(tx, caller.id(), serialNumber).flatMap(attempt -> appliances
                        .lockForClaim(tx, serialNumber)
                        .flatMap(found -> {
                            ApplianceRepository.Claimable row = found.orElse(null);
                            // An unknown serial is compared with a code nobody holds: the same work, the same answer.
                            String expected = row == null ? ClaimCodes.NOBODYS_CODE_HASH : row.claimCodeHash();
                            boolean matches = ClaimCodes.sameHash(expected, offered);
                            if (row == null || !matches) {
                                // Committed with the refusal: the attempt must stay counted.
                                return attempts.refused(tx, serialNumber)
                                        .replaceWith(ClaimVerdict.refused(claimRefused()));
                            }
                            UUID id = row.id();
                            UUID owner = row.ownerId();
                            Uni<Void> counted = attempts.matched(tx, attempt);
                            if (caller.id().equals(owner)) {
                                return counted.replaceWith(ClaimVerdict.claimed(id)); // a retried claim succeeds again
                            }
                            if (owner != null) {
                                return counted.replaceWith(ClaimVerdict.refused(new ApiException(ErrorCode.CONFLICT,
                                        "This appliance is already claimed; its owner can transfer it, or a factory "
                                                + "reset releases it", Map.of("reason", "ALREADY_CLAIMED"))));
                            }
                            return counted.flatMap(done -> appliances.claim(tx, id, caller.id(), cleanName))
                                    .flatMap(done -> changes.append(tx, Change.forUser(caller.id(), APPLIANCE_CLAIMED,
                                            new JsonObject().put("applianceId", id.toString()))))
                                    .replaceWith(ClaimVerdict.claimed(id));
                        })))
                .flatMap(verdict -> verdict.refusal() == null ? lifecycle.get(caller, verdict.applianceId())
                        : Uni.createFrom().failure(verdict.refusal()));
    }

    /**
     * The one answer to an unknown serial number and to a wrong code, whether the appliance is claimed or not: the
     * caller cannot tell which, so serial numbers cannot be enumerated.
     */
    static ApiException claimRefused() {
        return new ApiException(ErrorCode.FORBIDDEN, "No unclaimed appliance has this serial number and claim code",
                Map.of("reason", "CLAIM_REFUSED"));
    }

    /** How a claim's transaction ended: the appliance claimed, or a refusal to give once the attempt is committed. */
    private record ClaimVerdict(UUID applianceId, ApiException refusal) {
        static ClaimVerdict claimed(UUID applianceId) {
            return new ClaimVerdict(applianceId, null);
        }

        static ClaimVerdict refused(ApiException refusal) {
            return new ClaimVerdict(null, refusal);
        }
    }
}
