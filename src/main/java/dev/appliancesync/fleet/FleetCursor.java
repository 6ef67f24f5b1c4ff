package dev.appliancesync.fleet;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

/**
 * Where a page of fleet search ended: the last appliance id, pages being in id order (keyset paging: an appliance
 * added or changed between pages shifts nothing, and no offset is scanned past). Opaque to clients.
 */
final class FleetCursor {

    private static final String PREFIX = "fleet:";

    private FleetCursor() {
    }

    static String of(UUID lastId) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((PREFIX + lastId).getBytes(StandardCharsets.UTF_8));
    }

    /** The id after which the next page starts; BAD_QUERY if the cursor is not one of a fleet page. */
    static UUID parse(String cursor) {
        try {
            if (cursor.length() <= 64) {
                String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
                if (text.startsWith(PREFIX) && text.length() == PREFIX.length() + 36) {
                    return UUID.fromString(text.substring(PREFIX.length()));
                }
            }
        } catch (IllegalArgumentException e) {
            // the one message below
        }
        throw FleetErrors.badQuery("Not a fleet cursor: pass endCursor of a fleet page");
    }
}
