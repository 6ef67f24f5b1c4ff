package dev.appliancesync.realtime;

import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.appliancesync.access.Authorizer;
import dev.appliancesync.access.Capability;
import dev.appliancesync.appliance.ApplianceAccess;
import dev.appliancesync.change.ChangeRecord;
import dev.appliancesync.change.ChangeType;
import dev.appliancesync.household.HouseholdAccess;
import dev.appliancesync.household.HouseholdAction;
import io.vertx.core.json.JsonObject;

/**
 * The one rule for who sees a change, used by the live streams and by catch-up alike, so that `changes(since:)` returns
 * exactly what the stream would have delivered. Decided per delivery by the policies in force, at the time of the
 * delivery, with the recipient's grants as their {@link AccessView} holds them and the groups of the token the
 * view is decided for ({@link AccessView#subject()}):
 * <ul>
 * <li>USER entries go to that user only;</li>
 * <li>APPLIANCE entries to whoever may VIEW_STATUS the appliance; the device's desired settings only to those who may
 * ADJUST_SETTINGS (a guest who may only view status sees what it reports, not what it was told);</li>
 * <li>HOUSEHOLD entries to whoever may VIEW_HOUSEHOLD.</li>
 * </ul>
 */
@ApplicationScoped
public class ChangeVisibility {

    /** Payload fields that only people who may adjust the appliance's settings see. */
    static final String SETTINGS_FIELD = "desired";

    private final Authorizer authorizer;
    /**
     * The status viewers' copy of recent changes: every subscriber who may view status but not adjust settings gets
     * this one object, so that their deliveries can share one rendering (see {@link #visible}).
     */
    private final IdentityMemo<ChangeRecord, ChangeRecord> withoutSettings = new IdentityMemo<>(16);

    public ChangeVisibility(Authorizer authorizer) {
        this.authorizer = authorizer;
    }

    /**
     * The change as this user may see it (fields they may not view taken out), or empty. The same object for everyone
     * who may see the same of it: {@code change} itself when they see all of it, one shared redacted copy for those
     * who see it without its settings. Deliveries are grouped by that identity (one rendering per group), so two
     * subscribers get the same object only if they may see exactly the same.
     */
    public Optional<ChangeRecord> visible(AccessView view, ChangeRecord change) {
        if (change.type() == ChangeType.UNKNOWN) {
            return Optional.empty(); // written by a newer release: its kind says nothing here about who may see it
        }
        return switch (change.audience()) {
            case USER -> view.userId().equals(change.userId()) ? Optional.of(change) : Optional.empty();
            case APPLIANCE -> applianceChange(view, change);
            case HOUSEHOLD -> householdChange(view, change);
        };
    }

    /** The appliance facts in {@code payload} this user may view, or empty if they may not view the appliance. */
    public Optional<JsonObject> applianceFacts(AccessView view, UUID applianceId, JsonObject payload) {
        ApplianceAccess access = view.appliances().get(applianceId);
        Authorizer.Session session = authorizer.session(view.subject());
        if (!mayViewStatus(session, access)) {
            return Optional.empty();
        }
        if (payload.containsKey(SETTINGS_FIELD) && !session.decide(Capability.ADJUST_SETTINGS.name(),
                access.appliance().resource(), access.grants()).allowed()) {
            return Optional.of(withoutSettings(payload));
        }
        return Optional.of(payload);
    }

    /**
     * May this user, now, see the appliance at all (its status)? What the `appliance` query and a subscription on one
     * appliance require; a subscription whose answer turns to no ends with ACCESS_REVOKED.
     */
    public boolean mayViewStatus(AccessView view, UUID applianceId) {
        return mayViewStatus(authorizer.session(view.subject()), view.appliances().get(applianceId));
    }

    private static boolean mayViewStatus(Authorizer.Session session, ApplianceAccess access) {
        return access != null && session.decide(Capability.VIEW_STATUS.name(), access.appliance().resource(),
                access.grants()).allowed();
    }

    /**
     * The facts of an appliance change as someone who may view its status but not adjust its settings sees them:
     * {@code payload} without the desired settings. Also what the service publishes on the IoT view topics' status
     * channel, so that both gates show a viewer the same thing.
     */
    public static JsonObject withoutSettings(JsonObject payload) {
        if (!payload.containsKey(SETTINGS_FIELD)) {
            return payload;
        }
        JsonObject redacted = payload.copy();
        redacted.remove(SETTINGS_FIELD);
        return redacted;
    }

    /** The desired settings {@code payload} carries, or null if none (or an empty set). */
    public static JsonObject settingsIn(JsonObject payload) {
        JsonObject settings = payload.getValue(SETTINGS_FIELD) instanceof JsonObject object ? object : null;
        return settings == null || settings.isEmpty() ? null : settings;
    }

    /**
     * Does this entry, once delivered, mean the view of {@code userId} (who holds it) must be read again? When its
     * kind changes access ({@link ChangeType#changesAccess()}) and it is addressed to this user or to an appliance or
     * household the view holds.
     */
    public boolean changesAccessOf(ChangeRecord change, AccessView view) {
        if (!change.type().changesAccess()) {
            return false;
        }
        return switch (change.audience()) {
            case USER -> view.userId().equals(change.userId());
            case APPLIANCE -> view.appliances().containsKey(change.applianceId());
            case HOUSEHOLD -> view.households().containsKey(change.householdId());
        };
    }

    private Optional<ChangeRecord> applianceChange(AccessView view, ChangeRecord change) {
        return applianceFacts(view, change.applianceId(), change.payload()).map(facts -> facts == change.payload()
                ? change : withoutSettings.get(change, all -> all.withPayload(facts)));
    }

    private Optional<ChangeRecord> householdChange(AccessView view, ChangeRecord change) {
        HouseholdAccess access = view.households().get(change.householdId());
        if (access == null || !authorizer.session(view.subject()).decide(HouseholdAction.VIEW_HOUSEHOLD.name(),
                access.target().resource(), access.grants()).allowed()) {
            return Optional.empty();
        }
        return Optional.of(change);
    }
}
