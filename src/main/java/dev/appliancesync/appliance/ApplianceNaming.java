package dev.appliancesync.appliance;

import java.util.Optional;
import java.util.regex.Pattern;

import dev.appliancesync.common.error.ApiException;

/**
 * The rules for an appliance's serial number, thing name and display name: one place for the API (provision, claim,
 * rename) and device ingestion (announcements), so a device cannot register what an operator could not.
 */
public final class ApplianceNaming {

    private static final Pattern SERIAL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{2,63}");
    private static final String SERIAL_RULE = "A serial number is 3 to 64 letters, digits, '.', '_' or '-'";
    private static final Pattern THING_NAME = Pattern.compile("[A-Za-z0-9:_-]{1,128}");

    private ApplianceNaming() {
    }

    /** What is wrong with this serial number and thing name, if anything (for people to read). */
    public static Optional<String> identityProblem(String serialNumber, String thingName) {
        Optional<String> serial = serialProblem(serialNumber);
        if (serial.isPresent()) {
            return serial;
        }
        if (thingName == null || !THING_NAME.matcher(thingName).matches()) {
            return Optional.of("A thing name is 1 to 128 letters, digits, ':', '_' or '-' (AWS IoT's rule)");
        }
        return Optional.empty();
    }

    static Optional<String> serialProblem(String serialNumber) {
        return serialNumber == null || !SERIAL.matcher(serialNumber).matches() ? Optional.of(SERIAL_RULE)
                : Optional.empty();
    }

    /** The display name, trimmed; VALIDATION unless it has 1 to 100 characters. */
    static String validName(String name) {
        String trimmed = name == null ? "" : name.strip();
        if (trimmed.isEmpty() || trimmed.length() > 100) {
            throw ApiException.validation("An appliance name has 1 to 100 characters");
        }
        return trimmed;
    }
}
