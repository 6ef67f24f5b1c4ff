package dev.appliancesync.fleet;

import java.util.regex.Pattern;

/**
 * Firmware versions compared as versions, not as text: the leading numeric components as an integer array, which
 * PostgreSQL orders element by element, so 1.10 sorts after 1.9, and a shorter prefix first (1.2 < 1.2.0). A stored
 * version keeps only its leading digits-and-dots part (2.1.0-beta is 2.1.0); one that starts otherwise has no key and
 * matches no comparison.
 */
final class FirmwareVersion {

    /**
     * The key of the stored version, exactly as the index appliance_firmware_key_idx (V14) is built: PostgreSQL uses
     * the index only for this very expression.
     */
    static final String SQL_KEY = "(string_to_array(substring(a.firmware_version from '^[0-9]{1,9}(?:\\.[0-9]{1,9})*'), "
            + "'.')::integer[])";

    private static final Pattern VERSION = Pattern.compile("[0-9]{1,9}(\\.[0-9]{1,9}){0,15}");

    private FirmwareVersion() {
    }

    /** The key of a version a caller compares with; BAD_QUERY unless it is digits and dots. */
    static Integer[] key(String version) {
        if (version == null || !VERSION.matcher(version).matches()) {
            throw FleetErrors.badQuery("A firmware version to compare with is up to 16 numbers of 1 to 9 digits "
                    + "separated by dots, such as 2.10.1");
        }
        String[] parts = version.split("\\.");
        Integer[] key = new Integer[parts.length];
        for (int i = 0; i < parts.length; i++) {
            key[i] = Integer.valueOf(parts[i]);
        }
        return key;
    }
}
