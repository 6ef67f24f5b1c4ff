package dev.appliancesync.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.appliancesync.ingest.AnnouncementVerdict.AlreadyRegistered;
import dev.appliancesync.ingest.AnnouncementVerdict.Refused;
import dev.appliancesync.ingest.AnnouncementVerdict.Register;
import dev.appliancesync.ingest.AnnouncementVerdict.Registration;

/** Every way an announcement on appliances/T/provisioned can stand to what is registered, and the verdict for it. */
class AnnouncementVerdictTest {

    private static final String CODE = "a".repeat(64);
    private static final String OTHER_CODE = "b".repeat(64);

    @Test
    void aDeviceAnnouncingItselfForTheFirstTimeIsRegistered() {
        assertThat(judge("SN-1", "SN-1", "OVEN", CODE)).isInstanceOf(Register.class);
    }

    @Test
    void aDeviceMayNotAnnounceASerialNumberThatIsNotItsOwn() {
        // Unknown serial: the rogue registering a future serial under its own claim code.
        assertThat(reason(judge("rogue", "SN-FUTURE", "OVEN", CODE))).isEqualTo("NOT_ITS_SERIAL");
        // Known serial of another thing, unclaimed or claimed.
        assertThat(reason(judge("rogue", "SN-1", "OVEN", CODE, registered("SN-1", "SN-1", false))))
                .isEqualTo("NOT_ITS_SERIAL");
        assertThat(reason(judge("rogue", "SN-1", "OVEN", CODE, registered("SN-1", "SN-1", true))))
                .isEqualTo("NOT_ITS_SERIAL");
        // Its own name as serial, but an operator registered that serial as another thing.
        assertThat(reason(judge("SN-2", "SN-2", "OVEN", CODE, registered("SN-2", "oven-7", false))))
                .isEqualTo("NOT_ITS_SERIAL");
        // Its thing is registered with another serial: that one is its serial, not this one.
        assertThat(reason(judge("oven-7", "oven-7", "OVEN", CODE, registered("SN-3", "oven-7", false))))
                .isEqualTo("NOT_ITS_SERIAL");
    }

    @Test
    void aThingAnOperatorProvisionedUnderAnotherSerialMayAnnounceThatSerial() {
        assertThat(judge("oven-7", "SN-3", "OVEN", CODE, registered("SN-3", "oven-7", false)))
                .isInstanceOf(AlreadyRegistered.class);
    }

    @Test
    void anIdenticalRetryChangesNothingClaimedOrNot() {
        assertThat(judge("SN-1", "SN-1", "OVEN", CODE, registered("SN-1", "SN-1", false)))
                .isInstanceOf(AlreadyRegistered.class);
        assertThat(judge("SN-1", "SN-1", "OVEN", CODE, registered("SN-1", "SN-1", true)))
                .isInstanceOf(AlreadyRegistered.class);
    }

    @Test
    void otherDetailsNeverReplaceARegistration() {
        assertThat(reason(judge("SN-1", "SN-1", "OVEN", OTHER_CODE, registered("SN-1", "SN-1", false))))
                .isEqualTo("REGISTRATION_CONFLICT");
        assertThat(reason(judge("SN-1", "SN-1", "FRIDGE", CODE, registered("SN-1", "SN-1", false))))
                .isEqualTo("REGISTRATION_CONFLICT");
        assertThat(reason(judge("SN-1", "SN-1", "OVEN", OTHER_CODE, registered("SN-1", "SN-1", true))))
                .isEqualTo("ALREADY_CLAIMED");
    }

    private static Registration registered(String serial, String thing, boolean claimed) {
        return new Registration(serial, thing, "OVEN", CODE, claimed);
    }

    private static AnnouncementVerdict judge(String thing, String serial, String type, String hash,
            Registration... registered) {
        return AnnouncementVerdict.judge(new DeviceMessage.Provisioned(thing, serial, type, "1.0", hash),
                List.of(registered));
    }

    private static String reason(AnnouncementVerdict verdict) {
        assertThat(verdict).isInstanceOf(Refused.class);
        return ((Refused) verdict).reason();
    }
}
