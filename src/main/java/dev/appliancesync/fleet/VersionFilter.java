package dev.appliancesync.fleet;

import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.Input;

/**
 * Comparisons of an appliance's firmware version, all of those given at once (a range is {@code gte} with {@code lt}).
 * Versions compare semantically, component by component as numbers: 1.10 is after 1.9 (see {@link FirmwareVersion}).
 */
@Input("VersionFilter")
@Description("Firmware version comparisons, all that are given must hold. Versions compare component by component as "
        + "numbers (1.10 > 1.9; 1.2 < 1.2.0); a version must be digits and dots, such as 2.10.1. Appliances whose "
        + "firmware version does not start with a number match no comparison.")
public record VersionFilter(String eq, String ne, String lt, String lte, String gt, String gte) {
}
