package dev.appliancesync.appliance;

import static dev.appliancesync.change.ChangeType.APPLIANCE_CLAIMED;
import static dev.appliancesync.change.ChangeType.APPLIANCE_HOUSEHOLD_CHANGED;
import static dev.appliancesync.change.ChangeType.APPLIANCE_RELEASED;
import static dev.appliancesync.change.ChangeType.APPLIANCE_RENAMED;
import static dev.appliancesync.change.ChangeType.HOUSEHOLD_APPLIANCE_ADDED;
import static dev.appliancesync.change.ChangeType.HOUSEHOLD_APPLIANCE_REMOVED;
import static dev.appliancesync.change.ChangeType.OWNERSHIP_TRANSFERRED;
import static dev.appliancesync.change.ChangeType.SHARE_REVOKED;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.access.AccessGate;
import dev.appliancesync.access.AuditLog;
import dev.appliancesync.access.Authorizer;
import dev.appliancesync.access.Capability;
import dev.appliancesync.access.Decision;
import dev.appliancesync.access.Resource;
import dev.appliancesync.change.Change;
import dev.appliancesync.change.ChangeLog;
import dev.appliancesync.common.db.Transactions;
import dev.appliancesync.common.error.ApiException;
import dev.appliancesync.common.error.ErrorCode;
import dev.appliancesync.common.error.Ids;
import dev.appliancesync.household.HouseholdAction;
import dev.appliancesync.household.HouseholdGuard;
import dev.appliancesync.identity.AppUser;
import dev.appliancesync.identity.Caller;
import dev.appliancesync.identity.UserService;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/** Appliances through their life: provisioned, claimed, renamed, moved between households, transferred, released. */
@ApplicationScoped
public class ApplianceService {

    public static final String PROVISION = "PROVISION_APPLIANCE";
    private static final Pattern SERIAL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{2,63}");
    private static final String SERIAL_RULE = "A serial number is 3 to 64 letters, digits, '.', '_' or '-'";
    private static final Pattern THING_NAME = Pattern.compile("[A-Za-z0-9:_-]{1,128}");
    /** What an unknown serial number's claim code is compared with: the hash of a code nobody was ever given. */
    private static final String NOBODYS_CODE_HASH = hash(UUID.randomUUID().toString());

    private final Transactions db;
    private final ApplianceRepository appliances;
    private final ApplianceGuard guard;
    private final HouseholdGuard households;
    private final Authorizer authorizer;
    private final AccessGate gate;
    private final AuditLog audit;
    private final ChangeLog changes;
    private final UserService users;
    private final ClaimConfig claims;
    private final ClaimAttempts attempts;

    public ApplianceService(Transactions db, ApplianceRepository appliances, ApplianceGuard guard,
            HouseholdGuard households, Authorizer authorizer, AccessGate gate, AuditLog audit, ChangeLog changes,
            UserService users, ClaimConfig claims, ClaimAttempts attempts) {
        this.db = db;
        this.appliances = appliances;
        this.guard = guard;
        this.households = households;
        this.authorizer = authorizer;
        this.gate = gate;
        this.audit = audit;
        this.changes = changes;
        this.users = users;
        this.claims = claims;
        this.attempts = attempts;
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
        Optional<String> wrong = identityProblem(serialNumber, name);
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
        return db.inTransaction(tx -> insertProvisioned(tx, serialNumber, type, name, hash(claimCode), firmwareVersion)
                .flatMap(inserted -> {
                    if (inserted.isEmpty()) {
                        return failure(new ApiException(ErrorCode.CONFLICT,
                                "An appliance with this serial number or thing name is already provisioned"));
                    }
                    return audit.record(tx, entry).replaceWith(new ApplianceRecord(inserted.get(), serialNumber, type,
                            name, null, firmwareVersion, null, null, null, null));
                }));
    }

    /** What is wrong with this serial number and thing name, if anything (for people to read). */
    public static Optional<String> identityProblem(String serialNumber, String thingName) {
        if (serialNumber == null || !SERIAL.matcher(serialNumber).matches()) {
            return Optional.of(SERIAL_RULE);
        }
        if (thingName == null || !THING_NAME.matcher(thingName).matches()) {
            return Optional.of("A thing name is 1 to 128 letters, digits, ':', '_' or '-' (AWS IoT's rule)");
        }
        return Optional.empty();
    }

    /**
     * A new, unclaimed appliance (an operator provisions it, or the device announces itself) under the thing name it
     * keeps for good; its id, or empty if the serial number or thing name is taken. Checked with
     * {@link #identityProblem} first.
     */
    public Uni<Optional<UUID>> insertProvisioned(SqlConnection tx, String serialNumber, ApplianceType type,
            String thingName, String claimCodeHash, String firmwareVersion) {
        return tx.preparedQuery("""
                        insert into appliance (serial_number, appliance_type, thing_name, claim_code_hash, firmware_version)
                        values ($1, $2, $3, $4, $5)
                        on conflict do nothing
                        returning id""")
                .execute(Tuple.of(serialNumber, type.name(), thingName, claimCodeHash, firmwareVersion))
                .map(rows -> rows.rowCount() == 0 ? Optional.<UUID> empty()
                        : Optional.of(rows.iterator().next().getUUID("id")));
    }

    /**
     * Claims an unclaimed appliance with the code printed on it. The attempt is counted before the code is compared,
     * in the same transaction ({@link ClaimAttempts}), so concurrent guesses get no more checks than the limit. An
     * unknown serial number and a wrong code get the same answer at the same cost ({@link #claimRefused()}); only
     * someone holding the right code learns that the appliance is already claimed.
     */
    public Uni<ApplianceView> claim(Caller caller, String serialNumber, String claimCode, String name) {
        String cleanName = name == null ? null : validName(name);
        if (serialNumber == null || !SERIAL.matcher(serialNumber).matches()) {
            return failure(ApiException.validation(SERIAL_RULE));
        }
        String offered = hash(claimCode == null ? "" : claimCode);
        return db.inTransaction(tx -> attempts.admit(tx, caller.id(), serialNumber).flatMap(attempt -> tx
                        .preparedQuery("select id, claim_code_hash, owner_id from appliance where serial_number = $1 "
                                + "for update")
                        .execute(Tuple.of(serialNumber))
                        .flatMap(rows -> {
                            Row row = rows.rowCount() == 0 ? null : rows.iterator().next();
                            // An unknown serial is compared with a code nobody holds: the same work, the same answer.
                            String expected = row == null ? NOBODYS_CODE_HASH : row.getString("claim_code_hash");
                            boolean matches = sameHash(expected, offered);
                            if (row == null || !matches) {
                                // Committed with the refusal: the attempt must stay counted.
                                return attempts.refused(tx, serialNumber)
                                        .replaceWith(ClaimVerdict.refused(claimRefused()));
                            }
                            UUID id = row.getUUID("id");
                            UUID owner = row.getUUID("owner_id");
                            Uni<Void> counted = attempts.matched(tx, attempt);
                            if (caller.id().equals(owner)) {
                                return counted.replaceWith(ClaimVerdict.claimed(id)); // a retried claim succeeds again
                            }
                            if (owner != null) {
                                return counted.replaceWith(ClaimVerdict.refused(new ApiException(ErrorCode.CONFLICT,
                                        "This appliance is already claimed; its owner can transfer it, or a factory "
                                                + "reset releases it", Map.of("reason", "ALREADY_CLAIMED"))));
                            }
                            return counted.flatMap(done -> tx.preparedQuery("""
                                            update appliance set owner_id = $2, claimed_at = now(), name = $3,
                                                updated_at = now(), version = version + 1
                                            where id = $1""")
                                            .execute(Tuple.of(id, caller.id(), cleanName)))
                                    .flatMap(done -> changes.append(tx, Change.forUser(caller.id(), APPLIANCE_CLAIMED,
                                            new JsonObject().put("applianceId", id.toString()))))
                                    .replaceWith(ClaimVerdict.claimed(id));
                        })))
                .flatMap(verdict -> verdict.refusal() == null ? get(caller, verdict.applianceId())
                        : failure(verdict.refusal()));
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

    public Uni<ApplianceView> rename(Caller caller, UUID applianceId, String name) {
        String cleanName = validName(name);
        Authorizer.Session session = authorizer.session(caller.subject());
        return db.inTransaction(tx -> guard.require(tx, session, applianceId, Capability.RENAME)
                .flatMap(access -> tx.preparedQuery("update appliance set name = $2, updated_at = now(), "
                                + "version = version + 1 where id = $1")
                        .execute(Tuple.of(applianceId, cleanName))
                        .flatMap(done -> changes.append(tx, Change.forAppliance(applianceId, APPLIANCE_RENAMED,
                                new JsonObject().put("applianceId", applianceId.toString()).put("name", cleanName))))))
                .flatMap(done -> get(caller, applianceId));
    }

    /** Releases the appliance: no owner, no household, every share ended; it can be claimed again with its code. */
    public Uni<UUID> remove(Caller caller, UUID applianceId) {
        Authorizer.Session session = authorizer.session(caller.subject());
        return db.inTransaction(tx -> guard.require(tx, session, applianceId, Capability.REMOVE)
                .flatMap(access -> release(tx, access.appliance(), null, "REMOVED", caller.id())))
                .replaceWith(applianceId);
    }

    /** Gives the appliance to the account with this verified email; every share and household tie ends. */
    public Uni<ApplianceRecord> transfer(Caller caller, UUID applianceId, String newOwnerEmail) {
        String email = dev.appliancesync.identity.Emails.normalise(newOwnerEmail);
        Authorizer.Session session = authorizer.session(caller.subject());
        return db.inTransaction(tx -> guard.require(tx, session, applianceId, Capability.TRANSFER)
                .flatMap(access -> users.findByVerifiedEmail(tx, email).flatMap(found -> {
                    AppUser newOwner = found.orElse(null);
                    if (newOwner == null) {
                        return failure(new ApiException(ErrorCode.NOT_FOUND,
                                "No account has this verified email; the new owner must sign up first",
                                Map.of("reason", "UNKNOWN_RECIPIENT")));
                    }
                    if (newOwner.id().equals(caller.id())) {
                        return failure(ApiException.validation("You already own this appliance"));
                    }
                    return release(tx, access.appliance(), newOwner.id(), "TRANSFERRED", caller.id())
                            .replaceWith(access.appliance());
                })));
    }

    /**
     * Puts the appliance into a household, or takes it out (null). Its thing name stays what it is: the device keeps
     * connecting under it, and commands keep going to {@code appliances/<thing name>/commands}.
     */
    public Uni<ApplianceView> assignHousehold(Caller caller, UUID applianceId, UUID householdId) {
        Authorizer.Session session = authorizer.session(caller.subject());
        return db.inTransaction(tx -> guard.require(tx, session, applianceId, Capability.ASSIGN_HOUSEHOLD)
                .flatMap(access -> {
                    ApplianceRecord appliance = access.appliance();
                    Uni<Void> allowed = householdId == null ? Uni.createFrom().voidItem()
                            : households.require(tx, session, householdId, HouseholdAction.ADD_APPLIANCE, Map.of())
                                    .replaceWithVoid();
                    return allowed.flatMap(ok -> tx.preparedQuery("update appliance set household_id = $2, "
                                    + "updated_at = now(), version = version + 1 where id = $1")
                            .execute(Tuple.of(applianceId, householdId)))
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
                                return changes.append(tx, entries);
                            });
                }))
                .flatMap(done -> get(caller, applianceId));
    }

    /**
     * Ends everyone's access but the new owner's (null: nobody owns it any more): shares revoked with {@code reason},
     * invitations cancelled, other people's preferences dropped, out of its household (its thing name stays).
     * Also what a factory reset does.
     */
    public Uni<Void> release(SqlConnection tx, ApplianceRecord appliance, UUID newOwner, String reason, UUID actor) {
        UUID id = appliance.id();
        return tx.preparedQuery("""
                        update share set revoked_at = now(), revoked_by = $2, revoke_reason = $3, updated_at = now()
                        where appliance_id = $1 and revoked_at is null
                        returning id, recipient_id""")
                .execute(Tuple.of(id, actor, reason))
                .flatMap(revoked -> {
                    List<Change> entries = new ArrayList<>();
                    for (Row row : revoked) {
                        entries.add(Change.forUser(row.getUUID("recipient_id"), SHARE_REVOKED,
                                new EndedShareFacts(row.getUUID("id"), id, reason).toJson()));
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
                    return changes.append(tx, entries);
                })
                .flatMap(done -> tx.preparedQuery("update invitation set cancelled_at = now(), updated_at = now() "
                        + "where appliance_id = $1 and accepted_at is null and cancelled_at is null").execute(Tuple.of(id)))
                .flatMap(done -> tx.preparedQuery("delete from preference where appliance_id = $1 "
                        + "and user_id is distinct from $2").execute(Tuple.of(id, newOwner)))
                .flatMap(done -> tx.preparedQuery("""
                        update appliance set owner_id = $2, household_id = null,
                            claimed_at = case when $2::uuid is null then null else now() end,
                            name = case when $2::uuid is null then null else name end,
                            updated_at = now(), version = version + 1
                        where id = $1""").execute(Tuple.of(id, newOwner)))
                .replaceWithVoid();
    }

    private ApplianceView view(Authorizer.Session session, ApplianceAccess access) {
        return new ApplianceView(access.appliance(), access.strongestRole(),
                session.capabilities(access.appliance().resource(), access.grants()));
    }

    private static boolean sameHash(String expected, String offered) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                offered.getBytes(StandardCharsets.US_ASCII));
    }

    static String validName(String name) {
        String trimmed = name == null ? "" : name.strip();
        if (trimmed.isEmpty() || trimmed.length() > 100) {
            throw ApiException.validation("An appliance name has 1 to 100 characters");
        }
        return trimmed;
    }

    static String hash(String claimCode) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(claimCode.strip().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> Uni<T> failure(Throwable failure) {
        return Uni.createFrom().failure(failure);
    }
}
