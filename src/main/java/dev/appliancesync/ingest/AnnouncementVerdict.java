package dev.appliancesync.ingest;

import java.util.List;

/**
 * What the service makes of {@code appliances/T/provisioned}. IoT Core's device policy lets only thing T publish there,
 * so the topic's T is trusted; what the policy cannot express is checked here, against the appliances already
 * registered under the announced serial number or under T:
 * <ul>
 * <li>a device announces only itself: the serial number must be T's, which is T itself unless an operator registered
 * T with another serial ({@code provisionAppliance(thingName: T)}) - NOT_ITS_SERIAL;</li>
 * <li>a registration is never replaced: the same serial or thing with other details (thing, type, claim code hash) is
 * ALREADY_CLAIMED once someone claimed it (its claim code must never change hands), else REGISTRATION_CONFLICT;</li>
 * <li>the same details again is a retry (messages are at-least-once, devices re-announce on boot): nothing changes.</li>
 * </ul>
 * The firmware version is not part of a registration's details: a device announcing after an update is still itself.
 */
sealed interface AnnouncementVerdict {

    /** An appliance as registered, as far as an announcement is compared with it. */
    record Registration(String serialNumber, String thingName, String type, String claimCodeHash, boolean claimed) {

        boolean sameDetails(DeviceMessage.Provisioned announced) {
            return serialNumber.equals(announced.serialNumber()) && thingName.equals(announced.thingName())
                    && type.equals(announced.type()) && claimCodeHash.equals(announced.claimCodeHash());
        }
    }

    /** Nothing is registered under this serial or thing: register it. */
    record Register() implements AnnouncementVerdict {
    }

    /** Registered before with exactly these details: nothing to do. */
    record AlreadyRegistered() implements AnnouncementVerdict {
    }

    /** Refused: dead-lettered with {@code reason}. */
    record Refused(String reason, String detail) implements AnnouncementVerdict {
    }

    static AnnouncementVerdict judge(DeviceMessage.Provisioned announced, List<Registration> registered) {
        String thing = announced.thingName();
        String serial = announced.serialNumber();
        Registration asThing = registered.stream().filter(r -> r.thingName().equals(thing)).findFirst().orElse(null);
        Registration asSerial = registered.stream().filter(r -> r.serialNumber().equals(serial)).findFirst().orElse(null);
        if (asSerial != null && !asSerial.thingName().equals(thing)) {
            return notItsSerial(announced, "serial number " + serial + " is thing " + asSerial.thingName() + "'s");
        }
        if (asThing != null && !asThing.serialNumber().equals(serial)) {
            return notItsSerial(announced, "thing " + thing + " is registered with serial number "
                    + asThing.serialNumber());
        }
        if (asSerial == null) {
            return serial.equals(thing) ? new Register() : notItsSerial(announced, "a device's serial number is its "
                    + "thing name unless an operator provisioned it with another");
        }
        if (asSerial.sameDetails(announced)) {
            return new AlreadyRegistered();
        }
        if (asSerial.claimed()) {
            return new Refused("ALREADY_CLAIMED", "Thing " + thing + " (serial number " + serial + ") is claimed; its "
                    + "registration, claim code included, is never replaced");
        }
        return new Refused("REGISTRATION_CONFLICT", "Thing " + thing + " (serial number " + serial + ") is registered "
                + "with another type or claim code; a registration is never replaced");
    }

    private static Refused notItsSerial(DeviceMessage.Provisioned announced, String why) {
        return new Refused("NOT_ITS_SERIAL", "Thing " + announced.thingName() + " announced serial number "
                + announced.serialNumber() + ", which is not its own: " + why + " (a device announces only itself)");
    }
}
