package dev.appliancesync.realtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.appliancesync.access.Role;
import dev.appliancesync.access.Subject;
import dev.appliancesync.appliance.ApplianceAccess;
import dev.appliancesync.appliance.ApplianceRecord;
import dev.appliancesync.appliance.ApplianceType;
import dev.appliancesync.change.Audience;
import dev.appliancesync.change.ChangeRecord;
import dev.appliancesync.change.ChangeType;
import dev.appliancesync.change.Cursors.Position;
import dev.appliancesync.household.HouseholdAccess;
import dev.appliancesync.household.HouseholdRecord;
import io.vertx.core.json.JsonObject;

/**
 * The change contract and the cut-off agree, kind by kind: every {@link ChangeType} that changes access makes a live
 * subscriber's view be read again (which ends what they may no longer see), for every audience the kind is written
 * for; every other kind leaves the view alone. Enumerates the kinds, so a new one is checked the day it is added.
 */
class ChangeTypeContractTest {

    private static final UUID USER = UUID.randomUUID();
    private static final UUID APPLIANCE = UUID.randomUUID();
    private static final UUID HOUSEHOLD = UUID.randomUUID();

    /** A subscriber who holds one appliance and one household. */
    private static final AccessView SUBSCRIBER = new AccessView(new Subject(USER, Set.of()),
            Map.of(APPLIANCE, new ApplianceAccess(new ApplianceRecord(APPLIANCE, "SN-1", ApplianceType.GENERIC,
                    "thing-1", "oven", null, USER, HOUSEHOLD, "home", null), List.of())),
            Map.of(HOUSEHOLD, new HouseholdAccess(new HouseholdRecord(HOUSEHOLD, "home", "home-1", USER), Role.OWNER)),
            null);

    /** changesAccessOf reads no policies: the authoriser is not needed to decide whether the view is read again. */
    private final ChangeVisibility visibility = new ChangeVisibility(null);

    @ParameterizedTest
    @EnumSource(ChangeType.class)
    void theSubscribersViewIsReadAgainExactlyWhenTheKindChangesAccess(ChangeType type) {
        assertThat(type.audiences()).as("%s is written for someone", type).isNotEmpty();
        for (Audience audience : type.audiences()) {
            assertThat(visibility.changesAccessOf(addressedToSubscriber(audience, type), SUBSCRIBER))
                    .as("%s for %s: the subscriber's access is read again (and cut off where it ended)", type,
                            audience)
                    .isEqualTo(type.changesAccess());
        }
    }

    @ParameterizedTest
    @EnumSource(ChangeType.class)
    void anEntryForSomeoneElseLeavesTheSubscriberAlone(ChangeType type) {
        for (Audience audience : type.audiences()) {
            ChangeRecord elsewhere = record(audience, type, UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
            assertThat(visibility.changesAccessOf(elsewhere, SUBSCRIBER)).as("%s for another %s", type, audience)
                    .isFalse();
        }
    }

    private static ChangeRecord addressedToSubscriber(Audience audience, ChangeType type) {
        return record(audience, type, USER, APPLIANCE, HOUSEHOLD);
    }

    private static ChangeRecord record(Audience audience, ChangeType type, UUID user, UUID appliance, UUID household) {
        return new ChangeRecord(Position.START, audience, audience == Audience.USER ? user : null,
                audience == Audience.APPLIANCE ? appliance : null, audience == Audience.HOUSEHOLD ? household : null,
                type, new JsonObject(), OffsetDateTime.now(ZoneOffset.UTC));
    }
}
